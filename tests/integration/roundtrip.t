#!/usr/bin/env bash
# roundtrip.t: generated submissions in every export dialect, loaded into a
# throwaway PostgreSQL cluster, must come out of every mart view exactly as
# the generator says (to the cent).  TAP, run by `prove`.
#
#   1      the generator writes 12 departments x 2 years with --dialects all
#   2      tests/gen/check_generated.py: the files reconcile and expected/ is
#          what the tables say (no database needed)
#   3      a throwaway cluster starts (port 55435, Unix socket in a temp dir)
#   4      build/load exits 0
#   5      etl.rejects is empty
#   6      etl.checks has no failed check (the figures reconcile by construction)
#   7      etl.checks has one passed code_repaired row per split code whose
#          leading zeros the spreadsheet dropped (expected/code_repaired.csv)
#   8-28   one test per mart view: psql --csv output = expected/<view>.csv
#          (the budget views, function_yoy, and the final-accounts and
#          budget-versus-actual views of shared/spec/FINAL_ACCOUNTS.md)
#
# Environment: ROUNDTRIP_YEARS (default 2022-2023), ROUNDTRIP_SEED (default
# 20240601); ROUNDTRIP_GEN_ARGS: generator arguments instead of
# "--departments 12 --dialects all" (e.g. "--departments 3 --rows-per-table
# 2000 --codes-dir config/classifications"; test 2 then does not require
# every dialect); ROUNDTRIP_KEEP=1 keeps the temp dir (generated set, cluster
# log, query output) and prints where it is; PG_BINDIR: directory of initdb
# and pg_ctl; ETL_BIN: directory of the stage programs (run.sh test sets
# build/asan; default build); ROUNDTRIP_LOAD: the loader itself.  The file
# is skipped (1..0 # SKIP, a failure under CI=true) when PostgreSQL's server
# programs are missing, and bails out when the loader is not built.  A view
# the generator expects empty must exist and be empty.

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
YEARS=${ROUNDTRIP_YEARS:-2022-2023}
SEED=${ROUNDTRIP_SEED:-20240601}
PORT=55435
DB=budget_roundtrip
PY=${PYTHON:-python3}
LOAD=${ROUNDTRIP_LOAD:-${ETL_BIN:-$ROOT/build}/load}
GEN_ARGS=${ROUNDTRIP_GEN_ARGS:-}

VIEWS=(expenditure_by_function gpb_expenditure_by_function gov_fund_expenditure_by_function
       state_capital_expenditure_by_function basic_expenditure_by_economic revenue_by_source
       three_public_expenses project_indicators function_rollup department_year function_yoy
       final_expenditure_by_function final_gpb_expenditure_by_function final_basic_expenditure_by_economic
       final_revenue_by_source carryover_by_department execution_by_function execution_rollup
       department_execution three_public_execution economic_execution)
NTESTS=$((7 + ${#VIEWS[@]}))

. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
[ -n "${PG_BINDIR:-}" ] && PGBIN=$PG_BINDIR
[ -x "$LOAD" ] || bail "$LOAD is not built (make)"
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || skip_all "no initdb/pg_ctl in $PGBIN"
command -v psql >/dev/null || skip_all "no psql"
plan $NTESTS

TMP=$(mktemp -d "${TMPDIR:-/tmp}/roundtrip.XXXXXX") || bail "mktemp"
chmod 755 "$TMP"
GEN=$TMP/gen

cleanup() {
	pgc_stop
	if [ "${ROUNDTRIP_KEEP:-}" = 1 ]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1: generate -----------------------------------------------------------------
if [ -n "$GEN_ARGS" ]; then
	read -ra gen_args <<<"$GEN_ARGS"
	what="$GEN_ARGS, $YEARS"
	cover=()
else
	gen_args=(--departments 12 --dialects all)
	what="12 departments x $YEARS, every dialect"
	cover=(--require-coverage)
fi
if out=$(cd "$ROOT" && "$PY" tests/gen/gen_submissions.py --out "$GEN" --years "$YEARS" \
		--seed "$SEED" "${gen_args[@]}" 2>&1); then
	ok 0 "generate $what"
else
	ok 1 "generate $what"
	echo "$out" | diag
	bail "no generated set"
fi

# 2: the generated set checks out on its own --------------------------------------
if out=$("$PY" "$ROOT/tests/gen/check_generated.py" "$GEN" "${cover[@]}" 2>&1); then
	ok 0 "generated set reconciles and matches expected/ ($(echo "$out" | tail -1))"
else
	ok 1 "generated set reconciles and matches expected/"
	echo "$out" | head -60 | diag
fi

# 3: throwaway cluster --------------------------------------------------------------
if pgc_start roundtrip $PORT 2>"$TMP/pgc.log" &&
	out=$(psql -X -q -v ON_ERROR_STOP=1 "$PGC_DSN" -c "CREATE DATABASE $DB" 2>&1); then
	ok 0 "throwaway cluster starts (port $PORT, socket in $PGC_HOST)"
else
	ok 1 "throwaway cluster starts"
	cat "$TMP/pgc.log" | diag
	echo "${out:-}" | diag
	bail "no cluster"
fi
trap cleanup EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$PGC_HOST" -p "$PGC_PORT" -U "$PGC_USER")

# 4: load ----------------------------------------------------------------------------
CFG=$TMP/config
cp -R "$ROOT/config" "$CFG"
cp "$GEN/departments.csv" "$CFG/departments.csv"
DSN="host=$PGC_HOST port=$PGC_PORT dbname=$DB user=$PGC_USER"
# Only the <year>/ folders: expected/ and departments.csv are not submissions.
"$LOAD" --dsn "$DSN" --config-dir "$CFG" "$GEN"/[0-9][0-9][0-9][0-9] \
	>"$TMP/load.out" 2>&1
rc=$?
ok "$rc" "build/load exits 0"
[ "$rc" = 0 ] || tail -40 "$TMP/load.out" | diag

q() { "${PSQL[@]}" -d "$DB" --csv -c "$1" 2>&1; }

# 5: nothing rejected -------------------------------------------------------------------
out=$(q "SELECT count(*) FROM etl.rejects")
if [ "$out" = "$(printf 'count\n0')" ]; then
	ok 0 "no rejected rows or files"
else
	ok 1 "no rejected rows or files"
	{ echo "$out"; q "SELECT file_path, line, column_name, reason, message, raw_value FROM etl.rejects
	                  ORDER BY file_path, line LIMIT 30"; } | diag
fi

# 6: no failed check ------------------------------------------------------------------------
out=$(q "SELECT count(*) FROM etl.checks WHERE NOT passed")
if [ "$out" = "$(printf 'count\n0')" ] && [ "$(q "SELECT count(*) > 0 FROM etl.checks")" = "$(printf '?column?\nt')" ]; then
	ok 0 "no failed reconciliation check (and checks were run)"
else
	ok 1 "no failed reconciliation check (and checks were run)"
	{ echo "$out"; q "SELECT fiscal_year, dept_code, table_kind, check_name, subject, expected, actual, message
	                  FROM etl.checks WHERE NOT passed ORDER BY 1, 2, 3, 4, 5 LIMIT 30"; } | diag
fi

# 7: repaired split codes ---------------------------------------------------------------------
exp=$GEN/expected/code_repaired.csv
out=$(q "SELECT * FROM (SELECT fiscal_year::text AS fiscal_year, dept_code::text AS dept_code,
                table_kind::text AS table_kind, subject::text AS subject
         FROM etl.checks WHERE check_name = 'code_repaired' AND passed) c
         ORDER BY fiscal_year COLLATE \"C\", dept_code COLLATE \"C\", table_kind COLLATE \"C\",
                  subject COLLATE \"C\"")
if [ "$out" = "$(cat "$exp" 2>/dev/null)" ]; then
	ok 0 "etl.checks code_repaired ($(($(wc -l <"$exp") - 1)) rows)"
else
	ok 1 "etl.checks code_repaired"
	diff -u --label expected/code_repaired.csv --label etl.checks <(cat "$exp" 2>/dev/null) \
		<(echo "$out") | head -40 | diag
fi

# 8-28: every mart view, to the cent ----------------------------------------------------------
# Columns are printed as text and sorted on every column in code-point order,
# as the generator sorts expected/*.csv; NULL prints empty, as '' does there;
# a boolean prints t or f, as psql shows it.
view_sql() {
	local view=$1 cols=$2 sel="" ord="" c expr
	IFS=, read -ra cs <<<"$cols"
	for c in "${cs[@]}"; do
		case "$c" in
		target_value) expr="trim_scale(target_value)::text" ;;
		no_initial_budget | not_executed | over_budget)
			expr="CASE WHEN $c THEN 't' WHEN NOT $c THEN 'f' END" ;;
		*) expr="$c::text" ;;
		esac
		sel+="${sel:+, }$expr AS $c"
		ord+="${ord:+, }coalesce($c, '') COLLATE \"C\""
	done
	echo "SELECT * FROM (SELECT $sel FROM mart.$view) v ORDER BY $ord"
}

for view in "${VIEWS[@]}"; do
	exp=$GEN/expected/$view.csv
	act=$TMP/$view.actual.csv
	cols=$(head -1 "$exp" 2>/dev/null)
	rows=$(($(wc -l <"$exp" 2>/dev/null || echo 0) - 1))
	if [ -z "$cols" ]; then
		ok 1 "mart.$view: expected/$view.csv is missing or empty"
		continue
	fi
	if ! q "$(view_sql "$view" "$cols")" >"$act"; then
		ok 1 "mart.$view"
		head -20 "$act" | diag
		continue
	fi
	if [ "$rows" -le 0 ]; then
		# Nothing expected: the view must exist and be empty, which the
		# query above (it did not fail) and this count say; an empty
		# expectation is not a comparison of figures.
		is "$(($(wc -l <"$act") - 1))" 0 "mart.$view is empty, as expected/$view.csv"
	elif diff -q "$exp" "$act" >/dev/null; then
		ok 0 "mart.$view ($rows rows)"
	else
		ok 1 "mart.$view"
		diff -u --label "expected/$view.csv" --label "mart.$view" "$exp" "$act" | head -60 | diag
	fi
done
done_testing
