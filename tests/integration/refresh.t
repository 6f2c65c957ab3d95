#!/usr/bin/env bash
# Incremental refresh (issue 17): a run recomputes the cross-department
# aggregates of the fiscal years it changed only, and every materialized
# view of mart (enumerated from pg_matviews) then equals what a full
# refresh gives, after first loads, a second year, a changed table, a
# withdrawal, a reference change and a killed refresh.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
[ -x "$BIN/load" ] || bail "$BIN/load is not built (make)"
pgc_start refresh 55466 || bail "no cluster"
export ETL_HOME=$ROOT
T=$PGC_DIR/work
mkdir -p "$T"
DSN=$PGC_DSN
q() { pgq "$DSN" "$1"; }
GEN=$T/gen
python3 "$ROOT/tests/gen/gen_submissions.py" --out "$GEN" --departments 12 --years 2022-2023 \
	--seed 7 --dialects all --quiet || bail "the generator failed"
CFG=$T/config
cp -R "$ROOT/config" "$CFG"
cp "$GEN/departments.csv" "$CFG/departments.csv"
load() { "$BIN/load" --dsn "$DSN" --config-dir "$CFG" "$@" >"$T/out" 2>"$T/err"; }

# Every materialized view of mart as it is, and as a full refresh would make
# it (computed in a transaction that is rolled back), as one line each.
views_now() {
	q "SELECT string_agg(matviewname, ' ' ORDER BY matviewname) FROM pg_matviews WHERE schemaname = 'mart'"
}
snapshot() { # snapshot: name=md5 of every materialized view of mart
	local v out=""
	for v in $(views_now); do
		out+="$v=$(q "SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM mart.$v x") "
	done
	echo "$out"
}
full() {
	local v out=""
	psql -X -qtA -v ON_ERROR_STOP=1 "$DSN" >"$T/full.out" 2>"$T/full.err" <<SQL
BEGIN;
SELECT etl.refresh_marts();
$(for v in $(views_now); do echo "SELECT '$v=' || count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM mart.$v x;"; done)
ROLLBACK;
SQL
	grep -v '^$' "$T/full.out" | tr '\n' ' '
}
equal_to_full() { # equal_to_full WHAT
	local now all
	now=$(snapshot)
	all=$(full)
	if [ "$now" = "$all" ] && [ -n "$now" ]; then
		ok 0 "$1: every materialized view of mart equals a full refresh ($(views_now | wc -w) views)"
	else
		ok 1 "$1: every materialized view of mart equals a full refresh"
		diff <(echo "$all" | tr ' ' '\n') <(echo "$now" | tr ' ' '\n') | diag
		diag <"$T/full.err"
	fi
}

# 1. the first year
mkdir -p "$T/y2022"
cp -R "$GEN/2022" "$T/y2022/"
load "$T/y2022"
ok $([ $? -le 65 ] && echo 0 || echo 1) "2022 loads"
is "$(views_now)" "execution_rollup function_rollup function_yoy" "mart has the three materialized views"
equal_to_full "after the first load (2022)"
# 2. a second year: only 2023 is recomputed (its function_yoy reads 2022)
mkdir -p "$T/y2023"
cp -R "$GEN/2023" "$T/y2023/"
load "$T/y2023"
like "$(cat "$T/err")" "refreshed the marts \\(\\{2023\\}\\)" "loading 2023 recomputes 2023's aggregates only"
is "$(q "SELECT count(*) FROM etl.refresh_years")" 0 "... and clears the years it did"
equal_to_full "after a second year (2023)"
# 3. a changed table of one department of 2022
f=$(grep -l "^2010301," "$T"/y2022/2022/*/表3* 2>/dev/null | head -1)
[ -n "$f" ] || f=$(ls "$T"/y2022/2022/*/* | grep -v '\.gz$' | head -1)
printf '\n' >>"$f"
load "$T/y2022"
like "$(cat "$T/err")" "refreshed the marts \\(\\{2022\\}\\)" "a changed 2022 table recomputes 2022 only"
equal_to_full "after a changed table (2022; 2023's year-on-year reads it)"
# 4. a withdrawal
d=$(q "SELECT dept_code FROM etl.loaded_tables WHERE fiscal_year = 2023 AND stage = 'budget' ORDER BY 1 LIMIT 1")
stages=$(q "SELECT count(DISTINCT stage) FROM etl.loaded_tables WHERE fiscal_year = 2023 AND dept_code = '$d'")
if [ "$stages" -gt 1 ]; then
	"$BIN/load" --dsn "$DSN" --config-dir "$CFG" --withdraw 2023 "$d" --stage budget >"$T/out" 2>"$T/err"
else
	"$BIN/load" --dsn "$DSN" --config-dir "$CFG" --withdraw 2023 "$d" >"$T/out" 2>"$T/err"
fi
is "$?" 0 "withdraw 2023/$d"
equal_to_full "after a withdrawal (2023)"
# 5. a change of the reference data (a department renamed): every year
sed -i "s/^\\($d\\),[^,]*,/\\1,改名后的部门,/" "$CFG/departments.csv"
load "$T/y2023"
like "$(cat "$T/err")" "refreshed the marts \\(every year\\)" "a changed registry recomputes every year"
equal_to_full "after a reference change"
# 6. a refresh that did not happen (a killed run): the next run does it
q "INSERT INTO etl.refresh_years VALUES (2022) ON CONFLICT DO NOTHING;
   INSERT INTO etl.state VALUES ('refresh_pending', 'test') ON CONFLICT (key) DO UPDATE SET value = 'test';
   DELETE FROM core.function_rollup_store WHERE fiscal_year = 2022" >/dev/null
load "$T/y2022"
like "$(cat "$T/err")" "refreshed the marts \\(\\{2022\\}\\)" "a pending year is recomputed by the next run, even with nothing to load"
equal_to_full "after a pending refresh"
done_testing
