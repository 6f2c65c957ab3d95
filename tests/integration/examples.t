#!/usr/bin/env bash
# The three example submissions (samples/) load to exactly the facts of
# tests/data/examples/truth.json; a second load changes nothing.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/pgcluster.sh"
pgc_start examples 55441
export ETL_HOME=$ROOT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -qtA "$PGC_DSN" -c "$1"; }

"$BIN/load" --quiet --dsn "$PGC_DSN" "$ROOT/samples" 2>"$PGC_DIR/load1.err"
rc=$?
ok $([ $rc = 0 ] && echo 0 || echo 1) "first load of samples/ exits 0 (got $rc)"
[ $rc = 0 ] || sed 's/^/# /' "$PGC_DIR/load1.err"

out=$(python3 "$ROOT/tests/integration/compare_truth.py" "$PGC_DSN" "$ROOT/tests/data/examples/truth.json" "$n")
echo "$out"
n=$(echo "$out" | sed -n 's/^# tests=//p')

# Issue 4: the seed department is administrative; its economic lines carry
# the government classification through the crosswalk.
got=$(q "select string_agg(econ_code || '>' || coalesce(gov_econ_code, '?'), ' ' order by econ_code)
         from mart.basic_expenditure_by_economic
         where dept_code = '109001' and econ_code in ('30101', '30201', '30302')")
ok $([ "$got" = "30101>50101 30201>50201 30302>50905" ] && echo 0 || echo 1) "crosswalk 30101/30201/30302 for 109001 ($got)"

# Issue 6: the seed department's 100 万元 gap is a failed check with both figures.
got=$(q "select expected || '/' || actual from etl.checks
         where dept_code = '109001' and not passed and check_name = 'declared_income_equals_expenditure'")
ok $(echo "$got" | grep -Eq '^(6480300.00/7480300.00|7480300.00/6480300.00)$' && echo 0 || echo 1) "109001 income/expenditure gap recorded ($got)"
for d in 110001 110002; do
	f=$(q "select checks_failed from mart.department_year where dept_code = '$d'")
	ok $([ "$f" = 0 ] && echo 0 || echo 1) "$d passes every check (failed: $f)"
done

# Issue 7: the rollup is the sum over departments at every level.
diff=$(q "with e as (select fiscal_year, region, l.level, l.code, sum(total_amount) t
                      from mart.expenditure_by_function f
                      cross join lateral (values ('类', class_code), ('款', section_code), ('项', item_code)) l(level, code)
                      group by 1, 2, 3, 4)
          select count(*) from e full join mart.function_rollup r using (fiscal_year, region, level, code)
          where e.t is distinct from r.total_amount")
ok $([ "$diff" = 0 ] && echo 0 || echo 1) "function_rollup equals the sum of expenditure_by_function ($diff differences)"

before=$(q "select count(*) || ':' || sum(amount) from core.fact_amount")
"$BIN/load" --quiet --dsn "$PGC_DSN" "$ROOT/samples" 2>"$PGC_DIR/load2.err"
rc=$?
ok $([ $rc = 0 ] && echo 0 || echo 1) "second load exits 0 (got $rc)"
after=$(q "select count(*) || ':' || sum(amount) from core.fact_amount")
ok $([ "$before" = "$after" ] && echo 0 || echo 1) "second load leaves every fact as it was ($after)"
st=$(q "select string_agg(distinct status, ',') from etl.files where run_id = (select max(run_id) from etl.runs)")
ok $([ "$st" = unchanged ] && echo 0 || echo 1) "second load marks every file unchanged ($st)"
# CONTRACT: two different codes claiming one name are reported (a warning:
# departments get renamed, so nothing is rejected).
mkdir -p "$PGC_DIR/renamed/2023"
cp -r "$ROOT/samples/2023/109001" "$PGC_DIR/renamed/2023/999001"
"$BIN/load" --quiet --dsn "$PGC_DSN" "$PGC_DIR/renamed" 2>"$PGC_DIR/load3.err"
rc=$?
grep -q "one department name, several codes.*109001、999001" "$PGC_DIR/load3.err"
ok $? "a second code under a registered name loads (exit $rc) and is reported"
echo "1..$n"
