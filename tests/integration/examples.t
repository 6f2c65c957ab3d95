#!/usr/bin/env bash
# The three example submissions (samples/) load to exactly the facts of
# tests/data/examples/truth.json (written by hand from the published
# tables, not by the pipeline); a second load changes nothing.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
[ -x "$BIN/load" ] || bail "$BIN/load is not built (make)"
pgc_start examples 55441 || bail "no cluster"
export ETL_HOME=$ROOT
q() { pgq "$PGC_DSN" "$1"; }
TRUTH=$ROOT/tests/data/examples/truth.json

"$BIN/load" --quiet --dsn "$PGC_DSN" "$ROOT/samples" 2>"$PGC_DIR/load1.err"
rc=$?
is "$rc" 0 "first load of samples/ exits 0"
[ "$rc" = 0 ] || diag <"$PGC_DIR/load1.err"

# Every view against truth.json, and mart.function_rollup against sums
# computed from truth.json: 5 comparisons per submission and one rollup.
subs=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1], encoding="utf-8"))))' "$TRUTH")
[ "${subs:-0}" -gt 0 ] || bail "no submission in $TRUTH"
before=$TAP_N
tap_from "compare_truth.py ran to its end and every figure matched" \
	python3 "$ROOT/tests/integration/compare_truth.py" "$PGC_DSN" "$TRUTH" "$ROOT/config/departments.csv"
is "$((TAP_N - before - 1))" "$((subs * 5 + 1))" "compare_truth.py made all $((subs * 5 + 1)) comparisons ($subs submissions)"

# Issue 4: the seed department is administrative; its economic lines carry
# the government classification through the crosswalk.
is "$(q "select string_agg(econ_code || '>' || coalesce(gov_econ_code, '?'), ' ' order by econ_code)
         from mart.basic_expenditure_by_economic
         where dept_code = '109001' and econ_code in ('30101', '30201', '30302')")" \
	"30101>50101 30201>50201 30302>50905" "crosswalk 30101/30201/30302 for 109001"

# Issue 6: the seed department's 100 万元 gap is a failed check with both figures.
like "$(q "select expected || '/' || actual from etl.checks
         where dept_code = '109001' and not passed and check_name = 'declared_income_equals_expenditure'")" \
	'^(6480300.00/7480300.00|7480300.00/6480300.00)$' "109001 income/expenditure gap recorded"
for d in 110001 110002; do
	is "$(q "select checks_failed from mart.department_year where dept_code = '$d'")" 0 "$d passes every check"
	is "$(q "select count(*) > 0 from etl.checks where dept_code = '$d' and passed")" t "... $d's checks were run"
done

# Issue 7: the rollup is the sum over departments at every level (a
# consistency check; compare_truth.py compares it with truth.json above).
is "$(q "with e as (select fiscal_year, region, l.level, l.code, sum(total_amount) t
                      from mart.expenditure_by_function f
                      cross join lateral (values ('类', class_code), ('款', section_code), ('项', item_code)) l(level, code)
                      group by 1, 2, 3, 4)
          select count(*) || ' differences in ' || (select count(*) from mart.function_rollup) || ' rows'
          from e full join mart.function_rollup r using (fiscal_year, region, level, code)
          where e.t is distinct from r.total_amount")" \
	"0 differences in $(q "select count(*) from mart.function_rollup") rows" \
	"function_rollup equals the sum of expenditure_by_function"
is "$(q "select count(*) > 0 from mart.function_rollup")" t "... which has rows"

before=$(q "select count(*) || ':' || sum(amount) from core.fact_amount")
"$BIN/load" --quiet --dsn "$PGC_DSN" "$ROOT/samples" 2>"$PGC_DIR/load2.err"
rc=$?
is "$rc" 0 "second load exits 0"
[ "$rc" = 0 ] || diag <"$PGC_DIR/load2.err"
is "$(q "select count(*) || ':' || sum(amount) from core.fact_amount")" "$before" \
	"second load leaves every fact as it was"
is "$(q "select string_agg(distinct status, ',') from etl.files where run_id = (select max(run_id) from etl.runs)")" \
	unchanged "second load marks every file unchanged"

# CONTRACT: two different codes claiming one name are reported (a warning:
# departments get renamed, so nothing is rejected).
mkdir -p "$PGC_DIR/renamed/2023"
cp -r "$ROOT/samples/2023/109001" "$PGC_DIR/renamed/2023/999001"
"$BIN/load" --quiet --dsn "$PGC_DSN" "$PGC_DIR/renamed" 2>"$PGC_DIR/load3.err"
rc=$?
is "$rc" 0 "a second code under a registered name loads (exit 0)"
grep -q "one department name, several codes.*109001、999001" "$PGC_DIR/load3.err"
ok $? "... and is reported"
[ "$rc" = 0 ] || diag <"$PGC_DIR/load3.err"
is "$(q "select count(*) from core.fact_amount where dept_code = '999001'")" \
	"$(q "select count(*) from core.fact_amount where dept_code = '109001'")" \
	"... with as many facts as 109001"
done_testing
