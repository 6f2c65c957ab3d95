#!/usr/bin/env bash
# Integration tests of build/load against a throwaway PostgreSQL cluster
# (port 55433, Unix socket in a temporary folder, stopped on exit).
# Input: the hand-written streams of tests/data/streams/ fed on stdin, so the
# loader is tested apart from extract and normalize.  Run by prove.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
load="${LOAD:-${ETL_BIN:-$top/build}/load}" # run.sh test: ETL_BIN=build/asan
streams="$top/tests/data/streams"
port=55433

. "$top/tests/lib/tap.sh"
. "$top/tests/lib/pgcluster.sh"

[ -x "$load" ] || bail "$load is not built (make)"
[ -x "$PGBIN/initdb" ] || skip_all "no PostgreSQL server programs (initdb) in $PGBIN"

pgc_start loader $port || bail "no cluster"
tmp=$(mktemp -d /tmp/budget-etl-loader.XXXXXX)
cleanup() {
	[ -n "${holder:-}" ] && kill "$holder" 2>/dev/null
	pgc_stop
	rm -rf "$tmp"
}
trap cleanup EXIT

export PGHOST=$PGC_HOST PGPORT=$PGC_PORT PGUSER=$PGC_USER
must "CREATE DATABASE budget" psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE budget'
dsn="host=$PGC_HOST port=$PGC_PORT dbname=budget user=$PGC_USER"
q() { pgq "$dsn" "$1"; }

# The loader's connection: through --dsn, so the PG* variables are not needed.
unset ETL_DSN ETL_EMBEDDED_DSN
export ETL_HOME="$top" # sql/ and config/ of this checkout, wherever $load is
out="$tmp/out"
err="$tmp/err"
run() { # run STREAM ARGS...: load with the stream on stdin; sets rc
	local stream=$1
	shift
	"$load" --dsn "$dsn" "$@" <"$streams/$stream" >"$out" 2>"$err"
	rc=$?
}
facts() { q "SELECT count(*) FROM core.fact_amount WHERE $1"; }
# hold_facts: a session (application_name holder) keeps core.fact_amount
# locked, so that a loader waits inside its first table's transaction;
# release ends it.
hold_facts() {
	PGAPPNAME=holder psql -X -q "$dsn" -c "BEGIN" -c "LOCK TABLE core.fact_amount IN ACCESS EXCLUSIVE MODE" \
		-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
	holder=$!
	sleep 0.5
}
release() {
	q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'" \
		>/dev/null 2>&1
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
	holder=
}

# --- usage and configuration -------------------------------------------------
"$load" --no-such-option >/dev/null 2>&1
is $? 64 "an unknown option is bad usage (64)"
"$load" --jobs 0 </dev/null >/dev/null 2>&1
is $? 64 "--jobs 0 is bad usage (64)"
"$load" --withdraw 2023 >/dev/null 2>&1
is $? 64 "--withdraw without DEPT_CODE is bad usage (64)"
"$load" --dry-run /no/such/folder >/dev/null 2>&1
is $? 66 "a PATH that does not exist gives 66"
mkdir -p "$tmp/conf"
printf '[database]\ndsn =\n' >"$tmp/conf/etl.conf"
env -u PGHOST -u PGPORT -u PGUSER "$load" --config-dir "$tmp/conf" <"$streams/basic.stream" \
	>/dev/null 2>"$err"
is $? 78 "no database configured gives 78"
grep -q 'run.sh load' "$err"
ok $? "... and the message says to use ./run.sh load or --dsn"

# --- migrations ----------------------------------------------------------------
"$load" --dsn "$dsn" --migrate >"$out" 2>"$err"
is $? 0 "--migrate applies the migrations and exits 0"
is "$(q "SELECT count(*) FROM etl.schema_migrations WHERE version IN ('001_core', '005_withdrawals')")" 2 \
	"... recorded in etl.schema_migrations"
is "$(q "SELECT count(*) FROM etl.runs")" 0 "... and starts no run"
"$load" --dsn "$dsn" --migrate >/dev/null 2>&1
is $? 0 "--migrate again is a no-op"

# A role that may read etl.schema_migrations but not create tables.
must "a role it_loader" q "CREATE ROLE it_loader LOGIN; GRANT USAGE ON SCHEMA etl TO it_loader; GRANT SELECT ON etl.schema_migrations TO it_loader"
mkdir -p "$tmp/home"
cp -r "$top/sql" "$tmp/home/sql"
echo "CREATE TABLE etl.it_extra (id int);" >"$tmp/home/sql/migrations/999_it_extra.sql"
ETL_HOME="$tmp/home" "$load" --dsn "host=$PGC_HOST port=$PGC_PORT dbname=budget user=it_loader" \
	--config-dir "$top/config" <"$streams/basic.stream" >"$out" 2>"$err"
is $? 78 "a pending migration the role may not apply: 78"
grep -q 'run.sh migrate' "$err"
ok $? "... with a hint to run ./run.sh migrate with a privileged role"

# --- a first load ----------------------------------------------------------------
run basic.stream
is $rc 0 "basic.stream loads (exit 0; a failed check is not fatal)"
is "$(facts "fiscal_year = 2023 AND dept_code = '109001' AND table_kind = 3")" 13 \
	"table 3: one row per non-zero amount of every row (leaf, subtotal, total)"
is "$(q "SELECT amount FROM core.fact_amount WHERE table_kind = 3 AND code = '2010301' AND measure = 'basic'")" \
	3822800.00 "amounts land exactly"
is "$(facts "table_kind = 3 AND code = '2010301' AND measure = 'project'")" 0 "a zero amount is not a row"
is "$(facts "table_kind = 7")" 6 "table 7 keeps its zero amounts"
is "$(facts "table_kind = 1 AND line = 5")" 2 "tables 1/4: income and expense of one line are two rows"
is "$(q "SELECT string_agg(project_no || ':' || project_name || ':' || coalesce(amount::text, '-'), ',' ORDER BY project_no) FROM core.project")" \
	"1:“一窗通办”及窗口工作经费项目:300000.00,2:全区互联网包年项目:576000.00" "table 9: projects in file order"
is "$(q "SELECT string_agg(project_no || '/' || indicator_no || ' ' || coalesce(target_operator, 'NULL') || ' ' || coalesce(target_value::text, 'NULL') || ' ' || coalesce(target_unit, 'NULL'), ',' ORDER BY project_no, indicator_no) FROM core.project_indicator")" \
	"1/1 ≥ 98 %,1/2 NULL NULL NULL,2/1 = 57.6 万元" "table 9: indicators, empty parts NULL"
is "$(q "SELECT supervisor IS NULL AND goal IS NULL FROM core.project WHERE project_no = 2")" t \
	"table 9: empty supervisor and goal are NULL"
is "$(q "SELECT string_agg(status, ',') FROM etl.files")" "loaded,loaded,loaded,loaded" "four etl.files rows, loaded"
is "$(q "SELECT count(*) FROM etl.files WHERE file_path LIKE '/%'")" 4 "file paths are absolute"
is "$(q "SELECT count(*) FROM etl.loaded_tables")" 4 "etl.loaded_tables has the four tables"
is "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE NOT passed) FROM etl.checks")" "2 1" \
	"C records land in etl.checks"
is "$(q "SELECT exit_code || ' ' || files_seen || ' ' || files_loaded || ' ' || rows_read FROM etl.runs")" \
	"0 4 4 28" "etl.runs records the end of the run"
is "$(q "SELECT count(*) FROM etl.state WHERE key = 'refresh_pending'")" 0 "refresh_pending is cleared"
grep -q 'income_equals_expenditure' "$out"
ok $? "the summary lists the failed check"
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2} load run [0-9]+: ' "$err"
ok $? "log lines carry an ISO timestamp and the run id"

# --- unchanged, changed ------------------------------------------------------------
ids_before=$(q "SELECT string_agg(DISTINCT file_id::text, ',' ORDER BY file_id::text) FROM core.fact_amount")
run basic.stream
is $rc 0 "the same stream again exits 0"
is "$(q "SELECT count(*) FROM etl.files WHERE status = 'unchanged'")" 4 "... every file is unchanged"
is "$(q "SELECT string_agg(DISTINCT file_id::text, ',' ORDER BY file_id::text) FROM core.fact_amount")" \
	"$ids_before" "... and no fact was rewritten"

t7_before=$(q "SELECT string_agg(file_id::text || amount, ',' ORDER BY line, measure) FROM core.fact_amount WHERE table_kind <> 3")
run changed.stream
is $rc 0 "a changed table 3 loads"
is "$(q "SELECT count(*) || ' ' || sum(amount) FROM core.fact_amount WHERE table_kind = 3")" "7 26000000.00" \
	"... its facts are exactly the new version's"
is "$(q "SELECT string_agg(file_id::text || amount, ',' ORDER BY line, measure) FROM core.fact_amount WHERE table_kind <> 3")" \
	"$t7_before" "... and the other tables are untouched"
run changed.stream --force
is "$rc" 0 "--force exits 0"
is "$(q "SELECT status FROM etl.files ORDER BY file_id DESC LIMIT 1")" loaded "--force reloads an unchanged file"

# --- rejects ------------------------------------------------------------------------
run rejects.stream
is $rc 65 "a table with a rejected row exits 65"
is "$(facts "table_kind = 5")" 0 "... and is not loaded"
grep -q '^2023/109001/表5 一般公共预算支出表.csv:6: unknown_code: 功能分类科目 2069801 不存在' "$err"
ok $? "... the reject is printed as path:line: reason: message"
is "$(q "SELECT line || '|' || column_name || '|' || raw_value || '|' || reason FROM etl.rejects WHERE reason = 'unknown_code'")" \
	"6|科目编码|2069801,其他支出,12.00,12.00,,|unknown_code" "... and stored in etl.rejects with its raw text"
is "$(q "SELECT status FROM etl.files ORDER BY file_id DESC LIMIT 1")" rejected "... the file is rejected"
run rejects.stream --accept-partial
is $rc 65 "--accept-partial still exits 65"
is "$(facts "table_kind = 5")" 7 "... and loads the good rows"
is "$(q "SELECT status || ' ' || rows_loaded || ' ' || rows_rejected FROM etl.files ORDER BY file_id DESC LIMIT 1")" \
	"loaded 2 1" "... the file is loaded, its rejected row counted"
run wholefile.stream
is $rc 65 "a file rejected as a whole exits 65"
grep -q '^2023/109001/表4.csv: unknown_table: ' "$err"
ok $? "... with its reason printed"

# --- strict checks, row accounting, dry run ---------------------------------------
run strict.stream --strict-checks
is $rc 65 "--strict-checks rejects a submission with a failed check (65)"
is "$(q "SELECT count(*) FROM core.fact_amount WHERE fiscal_year = 2024")" 0 "... nothing of it is written"
is "$(q "SELECT count(*) FROM etl.rejects WHERE reason = 'failed_checks'")" 1 "... its files get a failed_checks reject"
count_all() { q "SELECT (SELECT count(*) FROM core.fact_amount) || ' ' || (SELECT count(*) FROM etl.files) || ' ' || (SELECT count(*) FROM etl.runs) || ' ' || (SELECT count(*) FROM etl.checks)"; }
before=$(count_all)
run accounting.stream
is $rc 70 "row counts that do not add up stop the run (70)"
grep -q 'row accounting does not add up' "$err"
ok $? "... and say so"
is "$(facts "dept_code = '110001'")" 0 "... nothing of that file is written"
is "$(q "SELECT exit_code FROM etl.runs ORDER BY run_id DESC LIMIT 1")" 70 "... the run records exit 70"
before=$(count_all)
env -u PGHOST -u PGPORT -u PGUSER "$load" --dry-run <"$streams/strict.stream" >"$out" 2>"$err"
is $? 0 "--dry-run needs no database and exits 0"
env -u PGHOST "$load" --dry-run <"$streams/rejects.stream" >"$out" 2>"$err"
is $? 65 "--dry-run with rejects exits 65"
is "$(count_all)" "$before" "--dry-run writes nothing"

# --- values that must land verbatim; departments -----------------------------------
must "a table x" q "CREATE TABLE public.x (id int)"
run nasty.stream --accept-partial
is $rc 65 "nasty.stream loads (with its reject: 65)"
is "$(q "SELECT count(DISTINCT line) FROM core.fact_amount WHERE label = E'''); drop table x; --'")" 1 \
	"a label '); drop table x; -- lands verbatim"
is "$(q "SELECT count(DISTINCT line) FROM core.fact_amount WHERE label = E'say \"hi\"; it''s a\\\\b\\tc\\nd'")" 1 \
	"quotes, semicolon, backslash, tab and newline land verbatim"
is "$(q "SELECT count(*) FROM etl.rejects WHERE raw_value = E'2010399,say \"hi\"; it''s a\\\\b\\tc\\nd,''); drop table x; --'")" 1 \
	"... in a reject's raw text too"
is "$(q "SELECT count(*) FROM etl.files WHERE file_path LIKE E'%/2023/130001/表3 ''quoted''; name.csv'")" 1 \
	"... and in a file path"
is "$(q "SELECT to_regclass('public.x') IS NOT NULL")" t "table x still exists"
is "$(q "SELECT dept_name || ' ' || registered || ' ' || region_code || ' ' || unit_type FROM core.dim_department WHERE dept_code = '130001'")" \
	"南昌市西湖区新设局 false 江西省/南昌市/西湖区 行政" "an unregistered department is added with the defaults"
grep -q 'unregistered department.*130001 南昌市西湖区新设局' "$out"
ok $? "... and named in the summary"
is "$(q "SELECT count(*) FROM etl.checks WHERE check_name = 'dept_name_matches_registry' AND NOT passed AND message LIKE '%南昌市西湖区政务服务数据局%南昌市西湖区政务服务数据管理局%'")" 1 \
	"a registered code under another name is a failed check naming both"

# --- withdraw ---------------------------------------------------------------------
n109=$(facts "fiscal_year = 2023 AND dept_code = '109001'")
"$load" --dsn "$dsn" --withdraw 2023 109001 >"$out" 2>"$err"
is $? 0 "--withdraw exits 0"
is "$(facts "fiscal_year = 2023 AND dept_code = '109001'") $(q "SELECT count(*) FROM core.project") $(q "SELECT count(*) FROM etl.loaded_tables WHERE dept_code = '109001'")" \
	"0 0 0" "... the submission's facts, projects and loaded tables are gone"
is "$(q "SELECT facts_removed FROM etl.withdrawals")" "$n109" "... etl.withdrawals records how many facts went"
is "$(facts "dept_code = '130001'")" 4 "... other departments stay"
run basic.stream
is "$rc" 0 "after a withdrawal the same stream loads (exit 0)"
is "$(q "SELECT count(*) FROM etl.files f JOIN etl.runs r USING (run_id) WHERE r.run_id = (SELECT max(run_id) FROM etl.runs) AND status = 'loaded'")" 4 \
	"after a withdrawal the same files load again"

# --- the lock -------------------------------------------------------------------------
# A writing run holds row 1 of etl.run_lock FOR UPDATE (only the loader role
# may); another session holding it makes a load exit 75 naming it.
printf 'BEGIN;\nSELECT 1 FROM etl.run_lock WHERE id = 1 FOR UPDATE;\nSELECT pg_sleep(60);\n' |
	PGAPPNAME=holder psql -X -q "$dsn" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
	[ "$(q "SELECT count(*) FROM pg_locks WHERE relation = 'etl.run_lock'::regclass AND mode = 'RowShareLock' AND granted")" -ge 1 ] && break
	sleep 0.1
done
run basic.stream
is $rc 75 "while another session holds the lock: 75"
grep -q 'application "holder"' "$err"
st=$?
ok $st "... and the message names the holder's application"
[ $st = 0 ] || sed 's/^/# /' "$err"
"$load" --dsn "$dsn" --wait <"$streams/basic.stream" >"$out" 2>"$err" &
waiter=$!
sleep 1
kill -0 $waiter 2>/dev/null
ok $? "--wait waits for the lock"
release
wait $waiter
is $? 0 "... and loads once it is free"

# Issue 14: the read-only role can neither take the run lock nor block a load
# with the advisory lock it may take (pg_advisory_lock needs no privilege).
psql -X -q -U budget_reader -d budget -c "BEGIN" -c "SELECT 1 FROM etl.run_lock FOR UPDATE" \
	>/dev/null 2>"$tmp/reader.err"
ok $([ $? != 0 ] && grep -q 'permission denied' "$tmp/reader.err" && echo 0 || echo 1) \
	"budget_reader may not take the run lock"
printf 'SELECT pg_advisory_lock(27988436066706540);\nSELECT pg_sleep(60);\n' |
	PGAPPNAME=holder psql -X -q -U budget_reader -d budget >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
	[ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -ge 1 ] && break
	sleep 0.1
done
run basic.stream
is $rc 0 "an advisory lock held by budget_reader does not stop a load"
release

# --- the whole pipeline: load PATH runs extract | normalize itself ------------------
bindir=$(dirname "$load")
if [ -x "$bindir/extract" ] && [ -x "$bindir/normalize" ]; then
	"$load" --dsn "$dsn" "$top/samples" >"$out" 2>"$err"
	is $? 0 "load samples/ runs extract | normalize and loads (0)"
	is "$(q "SELECT files_loaded > 0 AND files_rejected = 0 FROM etl.runs ORDER BY run_id DESC LIMIT 1")" t \
		"... every sample table is loaded"
	is "$(q "SELECT (SELECT count(*) FROM core.dim_function) > 0 AND (SELECT count(*) FROM core.dim_department WHERE registered) > 0")" t \
		"... the reference dimensions were synced from config/"
	"$load" --dsn "$dsn" --quiet "$top/samples" >"$out" 2>"$err"
	is $? 0 "loading samples/ again exits 0"
	is "$(q "SELECT files_unchanged = files_seen FROM etl.runs ORDER BY run_id DESC LIMIT 1")" t \
		"... and every file is unchanged"
	mkdir -p "$tmp/nocsv"
	"$load" --dsn "$dsn" "$tmp/nocsv" >"$out" 2>"$err"
	is $? 66 "a folder without .csv: extract's 66 is passed on"
else
	skip "build/extract or build/normalize not built" 6
fi

# --- signals, then a server that goes away -------------------------------------------
files_before=$(q "SELECT count(*) FROM etl.files")
t3_before=$(q "SELECT string_agg(file_id || ':' || amount, ',' ORDER BY line, measure) FROM core.fact_amount WHERE table_kind = 3")
hold_facts
"$load" --dsn "$dsn" --force <"$streams/changed.stream" >"$out" 2>"$err" &
waiter=$!
sleep 1
kill -TERM $waiter
wait $waiter
is $? 143 "SIGTERM inside a table's transaction: 143"
release
is "$(q "SELECT exit_code FROM etl.runs ORDER BY run_id DESC LIMIT 1")" 143 "... recorded in etl.runs"
is "$(q "SELECT count(*) FROM etl.files") $(q "SELECT string_agg(file_id || ':' || amount, ',' ORDER BY line, measure) FROM core.fact_amount WHERE table_kind = 3")" \
	"$files_before $t3_before" "... the table in flight is rolled back"
hold_facts
"$load" --dsn "$dsn" --force <"$streams/changed.stream" >"$out" 2>"$err" &
waiter=$!
sleep 1
pgc_ctl -m fast -w stop >/dev/null
wait $waiter
is $? 69 "the server stopped mid-run: 69"
release
run basic.stream
is $rc 69 "a stopped server: 69"

done_testing
