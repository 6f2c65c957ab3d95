# budget-etl build.
#
#   make            the three stage programs in build/ (extract, normalize, load)
#                   and build/report, the review report's static site
#   make test       every test (see run.sh test)
#   make unit       cmocka unit tests, built with ASan and UBSan in build/asan/
#   make bench      the benchmark (bench/)
#   make fuzz       libFuzzer harnesses (clang), FUZZ_SECONDS=N each
#   make check-tests  the mutation check: deliberate bugs must turn the tests red
#
# Layout (docs/internals.md): etl/common/ is the shared library (libetl.a),
# etl/<program>/ holds one program: its main.c and the modules only it uses.
# Each program links its own folder's objects, libetl.a, and only the
# libraries it calls: extract and normalize do not link libpq; load and
# report do.

CC      ?= cc
OPTFLAGS ?= -O2 -g
EXTRA_CFLAGS ?=
# -Wno-format-truncation: bounded snprintf into fixed message buffers is the
# intended behaviour (messages are cut on a character boundary, never overflow).
CFLAGS  := $(OPTFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation \
	   -Ietl/common $(EXTRA_CFLAGS)
PQINC   := $(shell pg_config --includedir 2>/dev/null)
PQLIB   := $(shell pg_config --libdir >/dev/null 2>&1 && echo -L$$(pg_config --libdir)) -lpq

BUILD   ?= build
PROGRAMS := extract normalize load report

# The libraries of each program (Debian packages: README "Dependencies").
LIBS_extract   := -lcsv -lz -lcrypto -linih
LIBS_normalize := -lcsv -linih
LIBS_load      := $(PQLIB) -lcrypto -lcsv -linih -pthread
CFLAGS_load    := $(if $(PQINC),-I$(PQINC))
LIBS_report    := $(PQLIB) -linih -lcsv
CFLAGS_report  := $(CFLAGS_load)

COMMON_SRC := $(wildcard etl/common/*.c)
COMMON_OBJ := $(patsubst etl/%.c,$(BUILD)/obj/%.o,$(COMMON_SRC))
COMMON_HDR := $(wildcard etl/common/*.h etl/common/*.def)
LIBETL     := $(BUILD)/libetl.a

# objects of one program: every .c of its folder
prog_src = $(wildcard etl/$(1)/*.c)
prog_obj = $(patsubst etl/%.c,$(BUILD)/obj/%.o,$(call prog_src,$(1)))
PROGS   := $(addprefix $(BUILD)/,$(PROGRAMS))

UNITSRC := $(wildcard tests/unit/test_*.c)
UNITS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))
# unit tests see every module but the programs' main.c
UNIT_OBJ := $(filter-out %/main.o,$(foreach p,$(PROGRAMS),$(call prog_obj,$(p))))
UNIT_INC := $(foreach p,$(PROGRAMS),-Ietl/$(p)) $(CFLAGS_load)
UNIT_LIBS := $(PQLIB) -lcsv -lz -lcrypto -linih -lcmocka

.PHONY: all clean unit test bench fuzz format cppcheck asan check-tests
all: $(PROGS)

# common/pgconn needs libpq's header; only load and report call it, so the
# archive member is not linked into extract or normalize.
$(BUILD)/obj/common/%.o: etl/common/%.c $(COMMON_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(if $(PQINC),-I$(PQINC)) -c -o $@ $<

# a program's object depends on its own folder's headers and common's
define PROGRAM_RULES
$(BUILD)/obj/$(1)/%.o: etl/$(1)/%.c $(wildcard etl/$(1)/*.h) $(COMMON_HDR)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -Ietl/$(1) $$(CFLAGS_$(1)) -c -o $$@ $$<

$(BUILD)/$(1): $(call prog_obj,$(1)) $(LIBETL)
	$$(CC) $$(CFLAGS) -o $$@ $(call prog_obj,$(1)) $(LIBETL) $$(LIBS_$(1))
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_RULES,$(p))))

$(LIBETL): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_OBJ) $(LIBETL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(UNIT_INC) -o $@ $< $(UNIT_OBJ) $(LIBETL) $(UNIT_LIBS)

unit: $(UNITS)
	@rc=0; for t in $(UNITS); do $$t || rc=1; done; exit $$rc

SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build/asan OPTFLAGS="$(SANFLAGS)" all $(patsubst $(BUILD)/%,build/asan/%,$(UNITS))

test: all
	./run.sh test

bench: all
	$(MAKE) -C bench

fuzz:
	$(MAKE) -C tests/fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

SOURCES := $(wildcard etl/*/*.c etl/*/*.h) $(wildcard tests/unit/*.c)
format:
	clang-format -i $(SOURCES)

# variableScope is suppressed: declarations at the top of a function are the
# house style (as in PostgreSQL and git), not a defect.
cppcheck:
	cppcheck --std=c11 --enable=warning,style,performance,portability --inline-suppr \
	  --suppress=missingIncludeSystem --suppress=variableScope --error-exitcode=1 -q \
	  $(foreach d,common $(PROGRAMS),-Ietl/$(d)) etl tests/unit

clean:
	rm -rf build

# Does ./run.sh test catch small deliberate bugs?  Each mutation of
# tests/mutation/run.sh is applied to a scratch copy and must make the
# suite fail.  Not in CI: several full runs, about 15 minutes.
.PHONY: check-tests
check-tests:
	tests/mutation/run.sh
