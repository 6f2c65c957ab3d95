#!/usr/bin/env bash
# A broken stream between the stages is exit 70 in every stage (normalize
# and load alike), never 65 (bad input) or 0; a well-formed one passes.
# No database: load runs --dry-run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
export ETL_HOME=$ROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

F=$'F\t/x/2023/109001/t3.csv\tab\t10\tutf-8\tnone\t2023\t109001\t3\tbudget\twan\t局\t2023年部门支出总表\t2023\t109001\tdepartment'
R=$'R\t6\trow\t2010301\t行政运行\ttotal=1.00\tbasic=1.00\tproject=0.00'
# name | stream
cases=(
	"E count -1 (a negative count)|S	budget-etl-stream	2
$F
$R
E	7	6	-1	2	0	ok	5000"
	"row accounting that does not add up|S	budget-etl-stream	2
$F
$R
E	9	5	1	0	0	ok	5000"
	"E status neither ok nor rejected|S	budget-etl-stream	2
$F
E	1	1	0	0	0	maybe	0"
	"no S header|$F
E	1	1	0	0	0	ok	0"
	"a stream of another version|S	budget-etl-stream	9"
	"R outside a file|S	budget-etl-stream	2
$R"
	"a line that is no record|S	budget-etl-stream	2
hello"
	"the input ends inside a file|S	budget-etl-stream	2
$F
$R"
	"an F with too few fields|S	budget-etl-stream	2
F	x	y"
	"an amount that is not a decimal|S	budget-etl-stream	2
$F
R	6	row	2010301	行政运行	basic=1,000.00
E	7	6	1	0	0	ok	5000"
	"an F stage outside the vocabulary|S	budget-etl-stream	2
${F/budget/adjustment}
E	1	1	0	0	0	ok	0"
	"an E without its precision|S	budget-etl-stream	2
$F
E	1	1	0	0	0	ok"
)
for c in "${cases[@]}"; do
	name=${c%%|*}
	printf '%s\n' "${c#*|}" >"$tmp/in"
	"$BIN/normalize" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok $([ $rc = 70 ] && echo 0 || echo 1) "normalize: $name exits 70 (got $rc)"
	[ $rc = 70 ] || sed 's/^/# /' "$tmp/err"
	# for its own reason: only the version case is refused for its version
	case $name in
	*version*) ;;
	*) ok $(grep -q 'stream of version' "$tmp/err" && echo 1 || echo 0) \
		"normalize: $name is refused for itself, not for the stream version" ;;
	esac
	"$BIN/load" --dry-run --quiet <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok $([ $rc = 70 ] && echo 0 || echo 1) "load: $name exits 70 (got $rc)"
	[ $rc = 70 ] || sed 's/^/# /' "$tmp/err"
done

# the same stream, well formed, passes both
printf '%s\n' $'S\tbudget-etl-stream\t2' "$F" "$R" $'E\t7\t6\t1\t0\t0\tok\t5000' >"$tmp/in"
"$BIN/normalize" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
rc=$?
ok $rc "normalize: a well-formed stream exits 0 (got $rc)"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/err"
"$BIN/load" --dry-run --quiet <"$tmp/out" >/dev/null 2>"$tmp/err"
rc=$?
ok $rc "load: normalize's output of it exits 0 (got $rc)"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/err"
done_testing
