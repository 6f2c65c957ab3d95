#!/usr/bin/env bash
# faults.t: killing a load at random moments never leaves a partial table,
# and the next run completes the work (CONTRACT.md "Loads are repeatable").
#
# A generated set (FAULTS_DEPARTMENTS submissions x 1 year, clean dialect) is
# loaded once into a reference database: it gives, per table, the facts,
# projects and indicators a complete load writes, and how long a first load
# and a --force run take.  Then, in the database under test:
#
#   - kill -9 of the whole process group (load, extract, normalize) at a
#     random moment of a first load, and of runs with --force (a table
#     replaced while being killed), FAULTS_KILLS times in all;
#   - SIGTERM to load (exit 143), SIGINT to the group as Ctrl-C does (130);
#   - a submission is withdrawn, then a run loads it again and is killed
#     while it waits to refresh the materialized views, its server session
#     ended with it: the refresh is left undone (still pending, marts stale);
#
# after each: no table is partial (every table of etl.loaded_tables has
# exactly the facts, projects and indicators of the file it names and of no
# other file, that file is `loaded` with the reference's rows_loaded and
# sha256; no fact, project or indicator exists for a table without a
# loaded_tables row).  Then a rerun, with nothing left to load, exits 0,
# every mart view equals the generator's expected/*.csv, mart.function_rollup
# is fresh again, and the facts equal the reference's; two
# loads at once give exactly one exit 75, and the other marks every file
# unchanged.
#
# The reference is trusted only because its mart views equal the generator's
# expected/*.csv (figures no part of the product computed), checked right
# after it is loaded; the comparisons with it after each kill are
# consistency checks beside that.
#
# Random moments come from FAULTS_SEED (default fixed, printed): a delay is a
# fraction of the reference durations, so a seed replays the same fractions
# on any machine.  A signal must land: a run that ends before its signal is
# started again (a first load on an emptied database) with half the delay,
# up to 4 times; a signal that never lands is a failed test.
# Environment: FAULTS_SEED, FAULTS_DEPARTMENTS (100), FAULTS_KILLS (5),
# FAULTS_KEEP=1 keeps the temp folder; ETL_BIN (run.sh test: build/asan).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
SEED=${FAULTS_SEED:-20241105}
DEPTS=${FAULTS_DEPARTMENTS:-100}
KILLS=${FAULTS_KILLS:-5}
YEAR=2023

. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
if [ ! -x "$BIN/load" ] || [ ! -x "$BIN/extract" ] || [ ! -x "$BIN/normalize" ]; then
	bail "$BIN/load, extract or normalize not built (make)"
fi
[ -x "$PGBIN/initdb" ] || skip_all "no PostgreSQL server programs in $PGBIN"
command -v setsid >/dev/null && command -v ps >/dev/null || skip_all "setsid or ps missing"
case $DEPTS$KILLS in *[!0-9]*) bail "FAULTS_DEPARTMENTS ($DEPTS) and FAULTS_KILLS ($KILLS) are numbers" ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/faults.XXXXXX") || bail "mktemp"
pgc_start faults 55462 || bail "no cluster"
finish() {
	[ -n "${holder:-}" ] && kill "$holder" 2>/dev/null
	[ -n "${pid:-}" ] && kill -9 -- "-$pid" 2>/dev/null
	pgc_stop
	if [ "${FAULTS_KEEP:-}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap finish EXIT
export ETL_HOME=$ROOT
unset ETL_DSN PGHOST PGPORT PGDATABASE PGUSER PGSERVICE
DSN=$PGC_DSN
REF_DSN="host=$PGC_HOST port=$PGC_PORT dbname=ref user=$PGC_USER"
must "CREATE DATABASE ref" psql -X -q -v ON_ERROR_STOP=1 "$DSN" -c "CREATE DATABASE ref"

q() { pgq "$DSN" "$1"; }
qref() { pgq "$REF_DSN" "$1"; }
now() { date +%s.%N; }

echo "# seed $SEED (FAULTS_SEED=$SEED replays the same kill moments), $DEPTS submissions x $YEAR"

# --- the generated set, and a reference load -------------------------------------
GEN=$T/gen
must "the generator" python3 "$ROOT/tests/gen/gen_submissions.py" --out "$GEN" --departments "$DEPTS" \
	--years "$YEAR" --seed "$SEED" --dialects clean --quiet
CFG=$T/config
cp -R "$ROOT/config" "$CFG"
cp "$GEN/departments.csv" "$CFG/departments.csv"
nfiles=$(find "$GEN/$YEAR" -name '*.csv*' | wc -l)

t0=$(now)
"$BIN/load" --quiet --dsn "$REF_DSN" --config-dir "$CFG" "$GEN/$YEAR" >"$T/ref.out" 2>&1
rc=$?
FULL=$(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }')
is "$rc" 0 "reference load of $nfiles files exits 0 ($FULL s)"
[ "$rc" = 0 ] || { tail -20 "$T/ref.out" | diag; bail "no reference"; }

# Every mart view (as roundtrip.t compares) against the generator's
# expected/<view>.csv: one test per view; a view expected empty must exist
# and be empty.
view_sql() {
	local view=$1 cols=$2 sel="" ord="" c expr
	IFS=, read -ra cs <<<"$cols"
	for c in "${cs[@]}"; do
		case "$c" in
		target_value) expr="trim_scale(target_value)::text" ;;
		*) expr="$c::text" ;;
		esac
		sel+="${sel:+, }$expr AS $c"
		ord+="${ord:+, }coalesce($c, '') COLLATE \"C\""
	done
	echo "SELECT * FROM (SELECT $sel FROM mart.$view) v ORDER BY $ord"
}
marts_equal_expected() { # marts_equal_expected DSN WHAT
	local dsn=$1 what=$2 exp view rows views=0
	for exp in "$GEN"/expected/*.csv; do
		view=$(basename "$exp" .csv)
		case $view in dialects | files | function_codes | code_repaired) continue ;; esac
		views=$((views + 1))
		rows=$(($(wc -l <"$exp") - 1))
		if ! psql -X -q -v ON_ERROR_STOP=1 "$dsn" --csv -c "$(view_sql "$view" "$(head -1 "$exp")")" \
			>"$T/$view.csv" 2>&1; then
			ok 1 "$what: mart.$view equals expected/$view.csv"
			head -5 "$T/$view.csv" | diag
		elif [ "$rows" -le 0 ]; then
			is "$(($(wc -l <"$T/$view.csv") - 1))" 0 "$what: mart.$view is empty, as expected/$view.csv"
		elif cmp -s "$exp" "$T/$view.csv"; then
			ok 0 "$what: mart.$view equals expected/$view.csv ($rows rows)"
		else
			ok 1 "$what: mart.$view equals expected/$view.csv"
			diff -u "$exp" "$T/$view.csv" | head -20 | diag
		fi
	done
	is "$views" 11 "$what: all 11 views of expected/ compared"
}
marts_equal_expected "$REF_DSN" "reference"

qref "SELECT l.fiscal_year, l.dept_code, l.stage, l.table_kind, l.sha256, f.rows_loaded,
             (SELECT count(*) FROM core.fact_amount a WHERE a.file_id = l.file_id),
             (SELECT count(*) FROM core.project p WHERE p.file_id = l.file_id),
             (SELECT count(*) FROM core.project_indicator i WHERE i.file_id = l.file_id)
      FROM etl.loaded_tables l JOIN etl.files f USING (file_id)" >"$T/ref.txt" || bail "the reference's tables"
is "$(wc -l <"$T/ref.txt")" "$nfiles" "... one loaded table per file"
# public.ref: the reference's tables in the database under test, for partial().
make_ref_table() {
	must "table public.ref" q "CREATE TABLE public.ref (fiscal_year smallint, dept_code text, stage text,
	     table_kind smallint, sha256 text, rows_loaded integer, facts bigint, projects bigint, indicators bigint)"
	must "\\copy public.ref" psql -X -q -v ON_ERROR_STOP=1 "$DSN" \
		-c "\\copy public.ref FROM '$T/ref.txt' WITH (FORMAT text, DELIMITER '|')"
}
make_ref_table
# How long a --force run takes (no migrations, no first sync): the other base.
t0=$(now)
"$BIN/load" --quiet --force --dsn "$REF_DSN" --config-dir "$CFG" "$GEN/$YEAR" >"$T/ref2.out" 2>&1
rc=$?
FORCE=$(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }')
is "$rc" 0 "reference load again with --force exits 0 ($FORCE s)"
ref_facts=$(qref "SELECT count(*) FROM core.fact_amount")
ref_rows=$(qref "SELECT sum(rows_loaded) FROM etl.loaded_tables JOIN etl.files USING (file_id)")

# No table partial: the problems, one per line, or "none".
# f, p, i: per table, the facts / projects / indicators, from how many files.
partial() {
	q "SELECT coalesce(string_agg(problem, E'\\n' ORDER BY problem), 'none') FROM (
       WITH f AS (SELECT fiscal_year, dept_code, stage, table_kind, count(*) AS n,
                         count(DISTINCT file_id) AS ids, min(file_id) AS id
                  FROM core.fact_amount GROUP BY 1, 2, 3, 4),
            p AS (SELECT fiscal_year, dept_code, stage, 9::smallint AS table_kind, count(*) AS n,
                         count(DISTINCT file_id) AS ids, min(file_id) AS id
                  FROM core.project GROUP BY 1, 2, 3),
            i AS (SELECT fiscal_year, dept_code, stage, 9::smallint AS table_kind, count(*) AS n,
                         count(DISTINCT file_id) AS ids, min(file_id) AS id
                  FROM core.project_indicator GROUP BY 1, 2, 3)
       SELECT problem FROM (
         SELECT format('%s/%s table %s (file %s, %s, %s rows): facts %s from %s files, want %s;'
                       ' projects %s from %s files, want %s; indicators %s from %s files, want %s',
                       l.fiscal_year, l.dept_code, l.table_kind, l.file_id, ef.status, ef.rows_loaded,
                       coalesce(f.n, 0), coalesce(f.ids, 0), r.facts, coalesce(p.n, 0),
                       coalesce(p.ids, 0), r.projects, coalesce(i.n, 0), coalesce(i.ids, 0),
                       r.indicators) AS problem
         FROM etl.loaded_tables l
         JOIN etl.files ef ON ef.file_id = l.file_id
         LEFT JOIN public.ref r ON (r.fiscal_year, r.dept_code, r.stage, r.table_kind)
                                 = (l.fiscal_year, l.dept_code, l.stage, l.table_kind)
         LEFT JOIN f ON (f.fiscal_year, f.dept_code, f.stage, f.table_kind)
                      = (l.fiscal_year, l.dept_code, l.stage, l.table_kind)
         LEFT JOIN p ON (p.fiscal_year, p.dept_code, p.stage, p.table_kind)
                      = (l.fiscal_year, l.dept_code, l.stage, l.table_kind)
         LEFT JOIN i ON (i.fiscal_year, i.dept_code, i.stage, i.table_kind)
                      = (l.fiscal_year, l.dept_code, l.stage, l.table_kind)
         WHERE r.facts IS NULL OR ef.status <> 'loaded' OR ef.rows_loaded <> r.rows_loaded
            OR l.sha256 <> r.sha256 OR ef.sha256 <> r.sha256
            OR coalesce(f.n, 0) <> r.facts OR (f.n > 0 AND (f.ids <> 1 OR f.id <> l.file_id))
            OR coalesce(p.n, 0) <> r.projects OR (p.n > 0 AND (p.ids <> 1 OR p.id <> l.file_id))
            OR coalesce(i.n, 0) <> r.indicators OR (i.n > 0 AND (i.ids <> 1 OR i.id <> l.file_id))
         UNION ALL
         SELECT format('%s/%s table %s: %s facts, no etl.loaded_tables row', fiscal_year, dept_code,
                       table_kind, n)
         FROM f WHERE NOT EXISTS (SELECT 1 FROM etl.loaded_tables l
                                  WHERE (l.fiscal_year, l.dept_code, l.stage, l.table_kind)
                                      = (f.fiscal_year, f.dept_code, f.stage, f.table_kind))
         UNION ALL
         SELECT format('%s/%s: %s projects or indicators, no table 9 in etl.loaded_tables',
                       fiscal_year, dept_code, n)
         FROM (SELECT * FROM p UNION ALL SELECT * FROM i) x
         WHERE NOT EXISTS (SELECT 1 FROM etl.loaded_tables l
                           WHERE (l.fiscal_year, l.dept_code, l.stage, l.table_kind)
                               = (x.fiscal_year, x.dept_code, x.stage, 9))
       ) problems ORDER BY 1 LIMIT 10) x" # an error is QUERY FAILED: a problem too
}

# Start load in its own process group (pid = pgid) on the generated set.
start() { # start TAG ARGS...
	local tag=$1
	shift
	setsid "$BIN/load" --dsn "$DSN" --config-dir "$CFG" "$@" "$GEN/$YEAR" \
		>"$T/$tag.out" 2>"$T/$tag.err" &
	pid=$!
}
# Wait until the server has no session of a loader left (a killed client's
# backend ends when it next reads from it).
no_sessions() {
	for _ in $(seq 300); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'budget-etl load'")" = 0 ] &&
			return 0
		sleep 0.1
	done
	return 1
}
tables() { q "SELECT count(*) FROM etl.loaded_tables"; }
# alive PGID: 0 when no live (non-zombie) process is left in the group; the
# orphaned children's zombies are for init to reap, not for this test.
alive() {
	for _ in $(seq 50); do
		ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { n++ } END { exit n > 0 }' && {
			echo 0
			return
		}
		sleep 0.1
	done
	echo 1
}

# Delays: fractions of the reference durations, from the seed.
nint=$((KILLS + 2))
read -r -a frac < <(python3 -c "
import random, sys
r = random.Random(int(sys.argv[1]))
print(' '.join('%.3f' % r.uniform(0.03, 0.7) for _ in range(int(sys.argv[2]))))" "$SEED" "$nint")
echo "# kill moments, fractions of a first load ($FULL s) for the first, of a --force run ($FORCE s) after: ${frac[*]}"

# Tables are committed in batches: an odd-numbered interruption waits for
# the run's first commit, then a random delay (a fraction of half a run), so
# that some kills land between commits of one run, not only before the first.
# A signal that comes after the run ended is tried again (attempts 2-4),
# with half the delay each time, from the start of the run after two misses.
landed=0
# The database under test emptied, for a first load again.
reset_db() {
	must "DROP DATABASE test" psql -X -q -v ON_ERROR_STOP=1 "$REF_DSN" -c "DROP DATABASE test"
	must "CREATE DATABASE test" psql -X -q -v ON_ERROR_STOP=1 "$REF_DSN" -c "CREATE DATABASE test"
	make_ref_table
}
interrupt() { # interrupt I SIGNAL WHOM ARGS...: start, wait, signal, check
	local i=$1 sig=$2 whom=$3 delay group what want base when prev attempt
	shift 3
	case $sig in KILL) want=137 ;; TERM) want=143 ;; INT) want=130 ;; esac
	for attempt in 1 2 3 4; do
		base=$FORCE when=""
		[ "$i" = 0 ] && base=$FULL
		prev=$(pgq_try "$DSN" "SELECT coalesce(max(run_id), 0) FROM etl.runs") # none before the first
		prev=${prev:-0}
		start "run$i" "$@"
		# (after two misses, not after the first commit: with a small set
		# one commit may be the whole run)
		if [ $((i % 2)) = 1 ] && [ "$attempt" -le 2 ]; then
			for _ in $(seq 1000); do
				[ "$(q "SELECT count(*) FROM etl.loaded_tables WHERE run_id > $prev")" != 0 ] && break
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.02
			done
			base=$(awk -v t="$base" 'BEGIN { printf "%.3f", t / 2 }')
			when="its first commit + "
		fi
		delay=$(awk -v f="${frac[$i]}" -v t="$base" -v a="$attempt" 'BEGIN { printf "%.3f", f * t / 2 ^ (a - 1) }')
		sleep "$delay"
		group=$(ps -eo pgid=,stat= | awk -v g="$pid" '$1 == g && $2 !~ /^Z/' | wc -l)
		if [ "$whom" = group ]; then kill "-$sig" -- "-$pid" 2>/dev/null; else kill "-$sig" "$pid" 2>/dev/null; fi
		wait "$pid" 2>/dev/null # no "Killed" notice from bash
		rc=$?
		what="$sig to the $whom at $when$delay s${1:+ ($*)}"
		[ "$rc" != 0 ] && break
		diag "$what: the run had finished already (exit 0, attempt $attempt of 4): again, with half the delay"
		pid=
		if [ "$i" = 0 ]; then no_sessions; reset_db; fi
	done
	hit=0
	[ "$rc" != 0 ] && { hit=1; landed=$((landed + 1)); }
	is "$rc" "$want" "$what, $group processes in its group: exit $want (the signal landed, attempt $attempt)"
	ok "$(alive "$pid")" "... no process of its group is left"
	pid=
	no_sessions
	ok $? "... its server session ends"
	is "$(partial)" none "... no table is partial ($(tables) of $nfiles tables loaded, $(q "SELECT count(*)
	  FROM etl.loaded_tables WHERE run_id > $prev") by this run)"
}

# --- kill -9 at random moments, SIGTERM, SIGINT ---------------------------------
interrupt 0 KILL group
for ((k = 1; k < KILLS; k++)); do
	interrupt "$k" KILL group --force
done
last_exit() { q "SELECT exit_code FROM etl.runs ORDER BY run_id DESC LIMIT 1"; }
interrupt "$KILLS" TERM load --force
if [ "$hit" = 1 ]; then is "$(last_exit)" 143 "... etl.runs records exit 143"; else ok 1 "... etl.runs records exit 143: no SIGTERM landed"; fi
interrupt $((KILLS + 1)) INT group --force
if [ "$hit" = 1 ]; then is "$(last_exit)" 130 "... etl.runs records exit 130"; else ok 1 "... etl.runs records exit 130: no SIGINT landed"; fi

# --- killed while waiting to refresh the marts --------------------------------------
# The last change of the data must be a run's that is killed before its
# refresh, so that only the next run's refresh can make the marts fresh: one
# submission is withdrawn (the marts refreshed without it), then a run loads
# it again and is killed while it waits in etl.refresh_marts(), its server
# session ended with it.  To make it wait, a session refreshes
# mart.function_rollup in a transaction it keeps open (LOCK TABLE refuses a
# materialized view); that refresh is rolled back.
wd=$(sed -n 2p "$GEN/departments.csv" | cut -d, -f1)
"$BIN/load" --dsn "$DSN" --config-dir "$CFG" --withdraw "$YEAR" "$wd" >"$T/withdraw.out" 2>&1
is "$?" 0 "withdraw $YEAR/$wd: exit 0, marts refreshed without it"
wd_tables=$(grep -c "|$wd|" "$T/ref.txt")
PGAPPNAME=holder psql -X -q "$DSN" -c "BEGIN" -c "REFRESH MATERIALIZED VIEW CONCURRENTLY mart.function_rollup" \
	-c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'holder' AND query LIKE '%pg_sleep%'")" = 1 ] &&
		break
	sleep 0.1
done
prev=$(q "SELECT max(run_id) FROM etl.runs")
start blocked
waiting=1
for _ in $(seq 1200); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'budget-etl load'
	          AND wait_event_type = 'Lock' AND query LIKE '%refresh_marts%'")" = 1 ] && { waiting=0; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
ok "$waiting" "a run loads $YEAR/$wd again and waits to refresh the marts"
kill -9 -- "-$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rc=$?
pid=
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'budget-etl load'" >/dev/null
is "$rc" 137 "... it is killed there: exit 137, its server session ended"
is "$(q "SELECT count(*) FROM etl.loaded_tables WHERE run_id > $prev AND dept_code = '$wd'")" "$wd_tables" \
	"... after it committed the $wd_tables tables of $YEAR/$wd ($(q "SELECT count(*) FROM etl.loaded_tables
	  WHERE run_id > $prev") in all)"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'" >/dev/null
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=
no_sessions
is "$(partial)" none "... no table is partial ($(tables) of $nfiles tables loaded)"

# Is mart.function_rollup the sum of mart.expenditure_by_function? (differences)
rollup_diff() {
	q "WITH e AS (SELECT fiscal_year, region, l.level, l.code, sum(basic_amount) AS b,
                         sum(project_amount) AS p, sum(total_amount) AS t
                  FROM mart.expenditure_by_function
                  CROSS JOIN LATERAL (VALUES ('类', class_code), ('款', section_code), ('项', item_code)) l(level, code)
                  GROUP BY 1, 2, 3, 4 HAVING sum(basic_amount) <> 0 OR sum(project_amount) <> 0 OR sum(total_amount) <> 0)
       SELECT count(*) FROM e FULL JOIN mart.function_rollup r USING (fiscal_year, region, level, code)
       WHERE e.t IS DISTINCT FROM r.total_amount OR e.b IS DISTINCT FROM r.basic_amount
          OR e.p IS DISTINCT FROM r.project_amount"
}
is "$(q "SELECT count(*) FROM etl.state WHERE key = 'refresh_pending'")" 1 \
	"... the refresh it did not do is still pending"
stale=$(rollup_diff)
ok "$([ "$stale" -gt 0 ] 2>/dev/null && echo 0 || echo 1)" "... and mart.function_rollup is stale ($stale rows differ)"

# --- the rerun completes the work -----------------------------------------------------
start final
wait "$pid"
rc=$?
pid=
is "$rc" 0 "the rerun exits 0"
[ "$rc" = 0 ] || tail -20 "$T/final.err" | sed 's/^/# /'
is "$(q "SELECT files_loaded || ' ' || files_unchanged FROM etl.runs ORDER BY run_id DESC LIMIT 1")" "0 $nfiles" \
	"... with nothing left to load (every file unchanged), only the refresh"
is "$(partial)" none "... every table whole"
is "$(tables)" "$nfiles" "... all $nfiles tables loaded"
is "$(q "SELECT count(*) FROM etl.state WHERE key = 'refresh_pending'")" 0 "... refresh_pending cleared"
is "$(rollup_diff)" 0 "... mart.function_rollup is fresh: the sum of mart.expenditure_by_function (and equal to expected/, below)"
is "$(q "SELECT count(*) FROM etl.rejects")" 0 "... nothing was ever rejected"

# Nothing lost, nothing twice: the facts equal the reference load's (a
# consistency check; the reference's marts equal the generator's expected
# figures, checked after it was loaded, and so must these, below).
facts_md5="SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', fiscal_year, dept_code, stage, table_kind,
             line, row_role, measure, code, label, amount), ','
             ORDER BY fiscal_year, dept_code, stage, table_kind, line, row_role, measure))
           FROM core.fact_amount"
got=$(q "$facts_md5")
is "$got" "$(qref "$facts_md5")" "... the facts are exactly the reference load's (${got%% *})"
proj_md5="SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', fiscal_year, dept_code, project_no, project_name, amount,
            (SELECT string_agg(concat_ws('|', indicator_no, level3, target_text), ',' ORDER BY indicator_no)
             FROM core.project_indicator i WHERE (i.fiscal_year, i.dept_code, i.project_no) = (p.fiscal_year, p.dept_code, p.project_no))),
            ',' ORDER BY fiscal_year, dept_code, project_no)) FROM core.project p"
got=$(q "$proj_md5")
is "$got" "$(qref "$proj_md5")" "... and so are the projects and indicators (${got%% *} projects)"

# Every mart view equals the generator's expected CSV (as roundtrip.t compares).
marts_equal_expected "$DSN" "after the kills and the rerun"

# --- two loads at once; the one that runs finds every file unchanged ---------------------
start c1
p1=$pid
start c2
p2=$pid
wait "$p1"
r1=$?
wait "$p2"
r2=$?
pid=
is "$(printf '%s\n' "$r1" "$r2" | sort -n | tr '\n' ' ')" "0 75 " "two loads at once: one exits 75, the other 0"
grep -q 'another load holds the lock' "$T/c1.err" "$T/c2.err"
ok $? "... the one that exits 75 says another load holds the lock"
is "$(q "SELECT files_seen || ' ' || files_unchanged || ' ' || files_loaded || ' ' || exit_code FROM etl.runs
         ORDER BY run_id DESC LIMIT 1")" "$nfiles $nfiles 0 0" \
	"a rerun after completion marks every file unchanged ($nfiles of $nfiles)"

runs=$(q "SELECT count(*) FROM etl.runs")
echo "# $runs runs: $nint interrupted ($((KILLS)) kill -9 of the group, 1 SIGTERM, 1 SIGINT; $landed landed) +" \
	"1 killed waiting to refresh; $nfiles files, $ref_rows rows, $ref_facts facts: none partial, none lost"
done_testing
