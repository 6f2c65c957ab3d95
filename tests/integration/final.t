#!/usr/bin/env bash
# Final accounts (决算) beside budgets (issue 13):
#   1. samples/ (the budgets of shared/examples and the nine 决算 tables of
#      shared/examples-final for 2023/109001) into an empty database: every
#      figure of tests/data/examples-final/truth.json and extended.json
#      (compare_final.py), 0 failed checks of stage final;
#   2. a 决算 loaded before its budget: the final side, the budget side null,
#      then filled in when the budget arrives;
#   3. a reload of either stage leaves the other untouched;
#   4. a 调整预算 table: stored with stage adjusted, every budget view unchanged;
#   5. withdraw needs --stage when both stages are loaded, and takes only that one.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
[ -x "$BIN/load" ] || bail "$BIN/load is not built (make)"
pgc_start final 55463 || bail "no cluster"
export ETL_HOME=$ROOT
T=$PGC_DIR/work
mkdir -p "$T"
DATA=$ROOT/tests/data/examples-final
SUB=$ROOT/samples/2023/109001
q() { pgq "$DSN" "$1"; }
newdb() { # newdb NAME: an empty database, DSN pointing at it
	pgq "$PGC_DSN" "CREATE DATABASE $1" >/dev/null || bail "cannot create database $1"
	DSN="host=$PGC_HOST port=$PGC_PORT dbname=$1 user=$PGC_USER"
}
load() { "$BIN/load" --quiet --dsn "$DSN" "$@" 2>>"$T/load.err"; }

# --- 1. both stages at once -----------------------------------------------------------
DSN=$PGC_DSN
load "$ROOT/samples"
rc=$?
is "$rc" 0 "samples/ (budgets and the 决算 of 2023/109001) load: exit 0"
[ "$rc" = 0 ] || diag <"$T/load.err"
is "$(q "SELECT string_agg(stage || ':' || n, ' ' ORDER BY stage) FROM (SELECT stage, count(*) AS n
           FROM etl.loaded_tables WHERE fiscal_year = 2023 AND dept_code = '109001' GROUP BY stage) s")" \
	"budget:9 final:9" "2023/109001: nine budget tables and nine 决算 tables, side by side in one folder"
before=$TAP_N
tap_from "compare_final.py ran to its end and every figure matched" \
	python3 "$ROOT/tests/integration/compare_final.py" "$DSN" "$DATA/truth.json" "$DATA/extended.json"
is "$((TAP_N - before - 1))" 11 "compare_final.py made its 11 comparisons"
is "$(q "SELECT count(*) FILTER (WHERE NOT passed) || ' of ' || (count(*) > 20)
           FROM etl.checks WHERE stage = 'final' AND dept_code = '109001'")" "0 of true" \
	"the 决算's identities are checked (more than 20 recorded) and none fails"
is "$(q "SELECT count(DISTINCT check_name) >= 15 FROM etl.checks WHERE stage = 'final'")" t \
	"... among them the 决算 identities of FINAL_ACCOUNTS (F1.x-F9.1, X1-X8)"
is "$(q "SELECT string_agg(check_name, ',' ORDER BY check_name) FROM (SELECT DISTINCT check_name
           FROM etl.checks WHERE stage = 'final' AND check_name IN ('non_fiscal_roll_forward',
           'fund_balance', 'gpb_basic_vs_table6', 'fiscal_within_all_funds',
           'declared_fiscal_vs_table2', 'carryover_begin_equals_funds')) c")" \
	"carryover_begin_equals_funds,declared_fiscal_vs_table2,fiscal_within_all_funds,fund_balance,gpb_basic_vs_table6,non_fiscal_roll_forward" \
	"... the roll-forward (X8), per-fund balance (F4.4), T5 against T6 (X4), fiscal within all funds (X7), X1, F4.3"
is "$(q "SELECT count(*) FROM mart.expenditure_by_function WHERE dept_code = '109001'")" 5 \
	"the budget views show the budget only (the 5 项 of its table 3)"

# docs/bi.md's queries run on it, as documented
for f in "$ROOT"/docs/queries/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 "$DSN" -f "$f" >"$T/query.out" 2>&1
	ok $? "docs/queries/$(basename "$f") runs on the example"
done
like "$(psql -X -q -tA "$DSN" -f "$ROOT/docs/queries/q3.sql")" "2010306\|政务公开审批\|0.00\|196000.00\|年中追加" \
	"... Q3 finds the mid-year addition 2010306 (196,000.00 yuan, no initial budget)"

# --- 2. the 决算 first, its budget later ------------------------------------------------
newdb split
mkdir -p "$T/final/2023/109001" "$T/budget/2023/109001"
cp "$SUB"/公开*.csv "$T/final/2023/109001/"
cp "$SUB"/表*.csv "$T/budget/2023/109001/"
load "$T/final"
is "$?" 0 "a 决算 alone loads"
is "$(q "SELECT coalesce(budget_total::text, 'null') || ' ' || final_total || ' ' || coalesce(execution_rate::text, 'null')
           FROM mart.department_execution WHERE dept_code = '109001'")" "null 6560000.00 null" \
	"... department_execution: the final total, the budget side and the rate null"
is "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE budget_total IS NULL AND variance IS NULL
           AND execution_rate IS NULL AND no_initial_budget IS NULL AND not_executed IS NULL)
           FROM mart.execution_by_function WHERE dept_code = '109001'")" "12 12" \
	"... execution_by_function: 12 rows, every budget side, variance, rate and flag null"
is "$(q "SELECT count(*) FROM mart.execution_rollup")" 0 \
	"... execution_rollup counts no department without both stages"
load "$T/budget"
is "$?" 0 "its budget loads later"
before=$TAP_N
tap_from "compare_final.py after the budget arrived" \
	python3 "$ROOT/tests/integration/compare_final.py" "$DSN" "$DATA/truth.json" "$DATA/extended.json"
is "$((TAP_N - before - 1))" 11 "... every comparison made again: the budget side is filled in"

# --- 3. a reload of one stage leaves the other ---------------------------------------
snap() { q "SELECT stage || ':' || count(*) || ':' || sum(amount) || ':' || min(file_id) FROM core.fact_amount
              WHERE dept_code = '109001' AND stage = '$1' GROUP BY stage"; }
budget_before=$(snap budget)
sed -i 's/^2010301,行政运行,378.85,378.85/2010301,行政运行,378.86,378.86/; s/^,合计,657.90,414.00/,合计,657.91,414.01/; s/^201,一般公共服务支出,565.15,378.85/201,一般公共服务支出,565.16,378.86/; s/^20103,政府办公厅（室）及相关机构事务,565.15,378.85/20103,政府办公厅（室）及相关机构事务,565.16,378.86/' \
	"$T/final/2023/109001/公开03表 支出决算表.csv"
load "$T/final"
is "$?" 0 "a changed 决算 table 3 reloads"
is "$(q "SELECT amount FROM core.fact_amount WHERE dept_code = '109001' AND stage = 'final'
           AND table_kind = 3 AND code = '2010301' AND measure = 'total'")" 3788600.00 \
	"... its new figure replaces the old"
is "$(snap budget)" "$budget_before" "... every budget fact untouched (same count, sum and files)"
final_before=$(snap final)
load --force "$T/budget"
is "$?" 0 "the budget reloads (--force)"
is "$(snap final)" "$final_before" "... every 决算 fact untouched"

# --- 4. 调整预算 -------------------------------------------------------------------------
views() { q "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
               SELECT e::text AS x FROM mart.expenditure_by_function e
               UNION ALL SELECT g::text FROM mart.gpb_expenditure_by_function g
               UNION ALL SELECT d::text FROM mart.department_year d
               UNION ALL SELECT r::text FROM mart.revenue_by_source r
               UNION ALL SELECT f::text FROM mart.function_rollup f) v"; }
mkdir -p "$T/adjusted/2023/109001"
{
	echo "表3,,,,"
	echo "2023年部门支出总表（调整预算）,,,,"
	echo "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元"
	echo "科目编码,科目名称,合计,基本支出,项目支出"
	echo ",合计,668.03,417.43,250.60"
	echo "201,一般公共服务支出,575.28,382.28,193.00"
	echo "20103,政府办公厅（室）及相关机构事务,575.28,382.28,193.00"
	echo "2010301,行政运行,382.28,382.28,"
	echo "2010302,一般行政管理事务,173.00,,173.00"
	echo "2010306,政务公开审批,20.00,,20.00"
	echo "206,科学技术支出,57.60,,57.60"
	echo "20601,科学技术管理事务,57.60,,57.60"
	echo "2060199,其他科学技术管理事务支出,57.60,,57.60"
	echo "208,社会保障和就业支出,35.15,35.15,"
	echo "20805,行政事业单位养老支出,35.15,35.15,"
	echo "2080505,机关事业单位基本养老保险缴费支出,23.43,23.43,"
	echo "2080506,机关事业单位职业年金缴费支出,11.72,11.72,"
} >"$T/adjusted/2023/109001/表3 部门支出调整预算表.csv"
v_before=$(views)
load "$T/adjusted"
is "$?" 0 "a 调整预算 table 3 loads"
is "$(q "SELECT stage || ' ' || table_kind FROM etl.files WHERE file_path LIKE '%调整预算%'")" "adjusted 3" \
	"... recorded with stage adjusted"
is "$(q "SELECT amount FROM core.fact_amount WHERE stage = 'adjusted' AND code = '2010306' AND measure = 'total'")" \
	200000.00 "... its facts stored with stage adjusted"
is "$(views)" "$v_before" "... every budget view (and the rollup) unchanged"

# --- 5. withdraw ---------------------------------------------------------------------------
"$BIN/load" --quiet --dsn "$DSN" --withdraw 2023 109001 2>"$T/withdraw.err"
is "$?" 64 "withdraw without --stage, with several stages loaded: exit 64"
like "$(cat "$T/withdraw.err")" "more than one stage loaded \\(adjusted,budget,final\\).*--stage" \
	"... naming the stages loaded"
is "$(q "SELECT count(*) FROM core.fact_amount WHERE dept_code = '109001' AND stage = 'final'")" \
	"$(echo "$final_before" | cut -d: -f2)" "... and nothing is removed"
"$BIN/load" --quiet --dsn "$DSN" --withdraw 2023 109001 --stage final 2>>"$T/withdraw.err"
is "$?" 0 "withdraw --stage final: exit 0"
is "$(q "SELECT string_agg(DISTINCT stage, ',') FROM core.fact_amount WHERE dept_code = '109001'")" \
	"adjusted,budget" "... the 决算's facts gone, the budget's and the adjustment's kept"
is "$(q "SELECT coalesce(final_total::text, 'null') || ' ' || budget_total FROM mart.department_execution WHERE dept_code = '109001'")" \
	"null 6480300.00" "... department_execution shows the budget alone again"
is "$(q "SELECT stage || ' ' || (facts_removed > 0)::text FROM etl.withdrawals")" "final true" \
	"... and the withdrawal is recorded with its stage"

done_testing
