#!/usr/bin/env bash
# pipeline_fuzz.t: the whole-pipeline fuzzer (tests/fuzz/pipeline/pfuzz.py, issue
# 14) for a fixed budget.  TAP through tests/lib/tap.sh.
#
#   1    a throwaway cluster starts (port 55460, tests/lib/pgcluster.sh)
#   2..  pfuzz.py ci: the seeds; a few of them unmutated (the harness's own
#        check: clean input breaks no invariant); the good departments'
#        reference load; every case of tests/fuzz/regress/pipeline/ replayed
#        in dry-run and in real-load mode (one test each); then PFUZZ_DRY new
#        dry-run cases of campaign PFUZZ_CAMPAIGN (one test per mutation kind,
#        each failing case named in a diagnostic with its invariant, stage,
#        stderr line and where it was kept) and PFUZZ_REAL real loads (one
#        test each).  Failing new cases are kept in tests/fuzz/out/pipeline/
#        failures/ for triage (`pfuzz.py one ID` re-runs one).
#   last pfuzz.py ran to its end (a traceback or a kill fails here)
#
# The invariants are listed in tests/fuzz/README.md ("The whole pipeline").
#
# Environment: ETL_BIN (the stage programs; run.sh test sets build/asan;
# default build), PFUZZ_DRY (40), PFUZZ_REAL (4), PFUZZ_CAMPAIGN (1),
# PFUZZ_TIMEOUT (4: seconds per program run in dry-run mode; a real load
# gets twice that).  With ASan on the shared 2-core machine: about 70 s
# when it is quiet, 100 s when other sessions keep both cores busy.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
DRY=${PFUZZ_DRY:-40}
REAL=${PFUZZ_REAL:-4}
CAMPAIGN=${PFUZZ_CAMPAIGN:-1}
TIMEOUT=${PFUZZ_TIMEOUT:-4}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"

for p in extract normalize load; do
	[ -x "$BIN/$p" ] || skip_all "$BIN/$p is not built (make -s all asan)"
done
command -v python3 >/dev/null || skip_all "no python3"
export ETL_HOME=$ROOT
unset ETL_DSN ETL_EMBEDDED_DSN

# Without a cluster the dry-run mode still runs (every real-load test then
# says SKIP) and this test fails.
dsn=()
errf=$(mktemp /tmp/pipeline_fuzz.XXXXXX)
if pgc_start pfuzz 55460 2>"$errf"; then # not in $(...): the cluster lives in this shell
	ok 0 "throwaway cluster starts (port 55460)"
	dsn=(--dsn "$PGC_DSN")
else
	ok 1 "throwaway cluster starts (port 55460)"
	diag <"$errf"
fi
rm -f "$errf"

# pfuzz.py ci exits 0 when every test passed, 1 when one failed (already a
# "not ok" line above), anything else when it did not run to its end.
pfuzz_ci() {
	python3 "$ROOT/tests/fuzz/pipeline/pfuzz.py" --bin "$BIN" "${dsn[@]}" --timeout "$TIMEOUT" \
		ci --campaign "$CAMPAIGN" --dry "$DRY" --real "$REAL" --no-plan
	local rc=$?
	[ "$rc" = 1 ] && return 0
	return "$rc"
}
tap_from "pfuzz.py ci ran to its end" pfuzz_ci
done_testing
