# budget-etl build.
#
#   make            the three stage programs in build/ (extract, normalize, load)
#   make test       every test (see run.sh test)
#   make unit       cmocka unit tests, built with ASan and UBSan in build/asan/
#   make bench      the benchmark (bench/)
#   make fuzz       libFuzzer harnesses (clang), FUZZ_SECONDS=N each
#
# Every module is etl/<name>.c with etl/<name>.h; the three programs are
# etl/<stage>_main.c.  A module is linked into every program (they are small),
# so adding a module needs no edit here.

CC      ?= cc
OPTFLAGS ?= -O2 -g
EXTRA_CFLAGS ?=
# -Wno-format-truncation: bounded snprintf into fixed message buffers is the
# intended behaviour (messages are cut, never overflow).
CFLAGS  := $(OPTFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -Ietl $(EXTRA_CFLAGS)
LDLIBS  := -lcsv -lz -linih -lcrypto $(shell pg_config --libdir >/dev/null 2>&1 && echo -L$$(pg_config --libdir)) -lpq
PQINC   := $(shell pg_config --includedir 2>/dev/null)
CFLAGS  += $(if $(PQINC),-I$(PQINC))

BUILD   ?= build
MAINS   := extract normalize load
MODSRC  := $(filter-out $(addprefix etl/,$(addsuffix _main.c,$(MAINS))),$(wildcard etl/*.c))
MODOBJ  := $(patsubst etl/%.c,$(BUILD)/obj/%.o,$(MODSRC))
PROGS   := $(addprefix $(BUILD)/,$(MAINS))

UNITSRC := $(wildcard tests/unit/test_*.c)
UNITS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))

.PHONY: all clean unit test bench fuzz format cppcheck asan
all: $(PROGS)

$(BUILD)/obj/%.o: etl/%.c $(wildcard etl/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%: $(BUILD)/obj/%_main.o $(MODOBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link every module; the sanitizer build is the one `make test` runs.
$(BUILD)/tests/%: tests/unit/%.c $(MODOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

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

format:
	clang-format -i etl/*.c etl/*.h tests/unit/*.c

# variableScope is suppressed: declarations at the top of a function are the
# house style (as in PostgreSQL and git), not a defect.
cppcheck:
	cppcheck --std=c11 --enable=warning,style,performance,portability --inline-suppr \
	  --suppress=missingIncludeSystem --suppress=variableScope --error-exitcode=1 -q \
	  -Ietl etl tests/unit

clean:
	rm -rf build

# Does ./run.sh test catch small deliberate bugs?  Each mutation of
# tests/mutation/run.sh is applied to a scratch copy and must make the
# suite fail.  Not in CI: several full runs, about 15 minutes.
.PHONY: check-tests
check-tests:
	tests/mutation/run.sh
