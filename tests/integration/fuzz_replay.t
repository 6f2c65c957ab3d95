#!/usr/bin/env bash
# Replay every fuzz input: the seeds (rebuilt from samples/, csv-spectrum,
# cjk-encodings and a generated dialect set), tests/fuzz/corpus/<harness>/
# and the crash inputs kept in tests/fuzz/regress/<harness>/, through each
# harness built as a plain driver with ASan and UBSan (tests/fuzz/Makefile,
# target replay).  One ok line per harness; a crash, a broken property, a
# sanitizer report or a leak fails it.  CI replays; it does not fuzz (see
# tests/fuzz/README.md for `make fuzz`).  Needs clang; no database.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ=$ROOT/tests/fuzz
HARNESSES="records table amount code"
. "$ROOT/tests/lib/tap.sh"

# Without clang nothing can be replayed: counted as skipped (and a failure
# under CI=true, where clang is installed).
command -v "${CLANG:-clang}" >/dev/null 2>&1 || skip_all "clang is not installed"

LOG=$FUZZ/out/logs
mkdir -p "$LOG"
if ! make -s -C "$FUZZ" replay >"$LOG/replay-build.log" 2>&1; then
	for h in $HARNESSES; do ok 1 "fuzz_$h replay: build"; done
	tail -20 "$LOG/replay-build.log" | diag
	done_testing
fi

export ETL_HOME=$ROOT
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_abort=1:detect_leaks=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1
for h in $HARNESSES; do
	dirs=("$FUZZ/out/seeds/$h")
	for d in "$FUZZ/corpus/$h" "$FUZZ/regress/$h"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	(cd "$FUZZ" && "out/replay/fuzz_$h" "${dirs[@]}") >"$LOG/replay-$h.log" 2>&1
	rc=$?
	count=$(sed -n 's/^replayed \([0-9]*\) inputs$/\1/p' "$LOG/replay-$h.log")
	regress=$(ls "$FUZZ/regress/$h" 2>/dev/null | wc -l)
	# Every input present was replayed, and there are inputs: the seeds
	# alone are dozens, so an empty corpus is a broken seed build.
	inputs=$(find "${dirs[@]}" -type f | wc -l)
	bad=$rc
	[ "${count:-0}" = "$inputs" ] && [ "$inputs" -gt 0 ] || bad=1
	ok $bad "fuzz_$h replay: exit 0, ${count:-0} inputs replayed of the $inputs present ($regress regression inputs)"
	if [ $rc != 0 ]; then
		echo "# exit $rc; the last lines of $LOG/replay-$h.log:"
		grep -v '^  ' "$LOG/replay-$h.log" | tail -25 | sed 's/^/# /'
		grep '^  ' "$LOG/replay-$h.log" | tail -1 | sed 's/^ */# input: /'
	fi
done
done_testing
