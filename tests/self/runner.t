#!/usr/bin/env bash
# runner.t: the test runner of ./run.sh test fails when it should.
#
# Each case feeds ./run.sh run-suite (the code ./run.sh test runs after its
# build) one broken fixture of tests/self/fixtures/ beside a healthy one,
# and checks what a reviewer reads: the last line "N passed, M failed,
# K skipped" with M > 0, the fixture named in a FAIL line, and a non-zero
# exit status.  Then the other way round: healthy fixtures give "0 failed,
# 0 skipped" and exit 0, a skip is counted apart and fails only under
# CI=true, and a run where nothing ran is not a success.
#
# The broken fixtures: a pgTAP file whose query errors mid-way (a dropped
# mart column), a pgTAP assertion that fails, a TAP file that bails out, one
# short of its plan, one without a plan, one that exits 1 after passing, one
# whose stderr carries a sanitizer report, two empty results compared as
# equal; a cmocka program that exits 1 after PASSED (a leak), one whose
# second group crashes; a program that does not exist.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX=tests/self/fixtures
. "$ROOT/tests/lib/tap.sh"

# The cases choose CI themselves: ./run.sh test under CI=true (.ci/run)
# must not turn "outside CI" into CI.
unset CI
T=$(mktemp -d "${TMPDIR:-/tmp}/selftest.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
# The loader applies the migrations for the pgTAP cases.
if [ -z "${ETL_BIN:-}" ]; then
	ETL_BIN=$ROOT/build/asan
	[ -x "$ETL_BIN/load" ] || ETL_BIN=$ROOT/build
fi
export ETL_BIN
[ -x "$ETL_BIN/load" ] || bail "$ETL_BIN/load is not built (make)"

# The cmocka fixtures, built as the unit tests are (ASan + UBSan).
for p in cmocka_pass cmocka_leak cmocka_crash2; do
	must "building $p" cc -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-o "$T/$p" "$ROOT/$FIX/$p.c" -lcmocka
done

# suite NAME ITEM...: ./run.sh run-suite into $T/NAME; sets rc, out, last
suite() {
	local name=$1
	shift
	(cd "$ROOT" && ./run.sh run-suite "$T/$name" "$@") >"$T/$name.out" 2>&1
	rc=$?
	out=$(cat "$T/$name.out")
	last=$(tail -1 "$T/$name.out")
}

# red NAME FIXTURE WHY: the run of NAME fails, names FIXTURE, says so last
red() {
	local name=$1 fixture=$2 why=$3 m bad=0
	m=$(printf '%s\n' "$last" | sed -n 's/^[0-9][0-9]* passed, \([0-9][0-9]*\) failed, [0-9][0-9]* skipped$/\1/p')
	[ -n "$m" ] && [ "$m" -gt 0 ] || bad=1
	[ "$rc" != 0 ] || bad=1
	grep -q "^  FAIL  .*$fixture" "$T/$name.out" || bad=1
	ok $bad "$why: '$last', exit $rc, $fixture named as FAIL"
	[ $bad = 0 ] || diag <"$T/$name.out"
}

# --- the healthy fixtures are green ------------------------------------------
suite green "== healthy" tap:$FIX/pass.t "cmocka:$T/cmocka_pass" pgtap:$FIX/pgtap_pass.sql
is "$last" "6 passed, 0 failed, 0 skipped" "healthy TAP, cmocka and pgTAP fixtures: the summary line"
is "$rc" 0 "... and exit 0"

# --- each broken fixture turns the run red ------------------------------------
suite pgtap_error pgtap:$FIX/pgtap_pass.sql pgtap:$FIX/pgtap_error.sql
red pgtap_error pgtap_error.sql "a pgTAP file stopped by a query error (2 of 3 tests never ran)"
like "$last" '^[0-9]+ passed, [2-9][0-9]* failed' "... its planned tests that never ran count as failed"

suite pgtap_fail pgtap:$FIX/pgtap_fail.sql
red pgtap_fail pgtap_fail.sql "a failed pgTAP assertion"

suite bail tap:$FIX/bail.t tap:$FIX/pass.t
red bail bail.t "a TAP file that bails out"
grep -q "^  ok    $FIX/pass.t" "$T/bail.out"
ok $? "... and the file after it still runs"

suite short tap:$FIX/short_plan.t
red short short_plan.t "a TAP file short of its plan, exit 0"

suite noplan tap:$FIX/no_plan.t
red noplan no_plan.t "a TAP file that never printed its plan, exit 0"

suite exit1 tap:$FIX/exit_nonzero.t
red exit1 exit_nonzero.t "a TAP file whose tests pass but which exits 1"

suite san tap:$FIX/sanitizer.t
red san sanitizer.t "a TAP file whose tests pass but whose stderr has an AddressSanitizer report"

suite emptyis tap:$FIX/empty_is.t
red emptyis empty_is.t "tap.sh's is: two empty results, and a failed query, do not compare equal"
like "$out" 'not ok 1 - two empty results' "... the empty comparison is the failed test"
like "$out" 'not ok 2 - a query that cannot connect' "... and so is the failed query"

suite leak "cmocka:$T/cmocka_pass" "cmocka:$T/cmocka_leak"
red leak cmocka_leak "a cmocka program that exits 1 after PASSED (LeakSanitizer)"
like "$out" 'LeakSanitizer' "... the leak report is shown"

suite crash2 "cmocka:$T/cmocka_crash2=$ROOT/$FIX/cmocka_crash2.c"
red crash2 cmocka_crash2 "a cmocka program whose second group crashes"
like "$out" 'crashed inside a group' "... reported as a crash inside a group"

suite missing tap:$FIX/pass.t "cmocka:$T/no_such_program"
red missing no_such_program "a unit program that was never built"

# --- skips are counted apart; CI fails on them ----------------------------------
suite skip tap:$FIX/pass.t tap:$FIX/skip_all.t tap:$FIX/skip_one.t
is "$last" "3 passed, 0 failed, 2 skipped" "a skipped file and a skipped test are counted as skipped, not passed"
is "$rc" 0 "... and outside CI the run passes"
grep -q "skip_all.t: initdb is not installed" "$T/skip.out"
ok $? "... the skipped file is listed with its reason"
CI=true suite skip_ci tap:$FIX/pass.t tap:$FIX/skip_all.t
is "$last" "2 passed, 0 failed, 1 skipped" "CI=true: the summary line is still last"
ok "$([ "$rc" != 0 ] && echo 0 || echo 1)" "... and the run fails (exit $rc): CI installs every tool"

# --- nothing ran ------------------------------------------------------------------
suite nothing "== no test at all"
is "$last" "0 passed, 0 failed, 0 skipped" "a run with nothing in it: the summary line"
ok "$([ "$rc" != 0 ] && echo 0 || echo 1)" "... is not a success (exit $rc)"
suite onlyskip tap:$FIX/skip_all.t
ok "$([ "$rc" != 0 ] && echo 0 || echo 1)" "a run where everything was skipped is not a success (exit $rc)"

done_testing
