#!/usr/bin/env bash
# Overlapped writing (issue 17): load writes batch N on a thread while it
# reads batch N+1.  A run of several batches loads exactly what it loads
# with one worker or two; the same tables met again in one run (a second
# root holding a copy, later a changed copy) see what the batch before
# committed: a copy is unchanged, a changed copy replaces it, in stream order.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
[ -x "$BIN/load" ] || bail "$BIN/load is not built (make)"
pgc_start overlap 55467 || bail "no cluster"
export ETL_HOME=$ROOT
T=$PGC_DIR/work
mkdir -p "$T"
q() { pgq "$DSN" "$1"; }
newdb() {
	pgq "$PGC_DSN" "CREATE DATABASE $1" >/dev/null || bail "cannot create database $1"
	DSN="host=$PGC_HOST port=$PGC_PORT dbname=$1 user=$PGC_USER"
}
python3 "$ROOT/tests/gen/gen_submissions.py" --out "$T/gen" --departments 60 --years 2023 \
	--seed 21 --dialects clean --final off --quiet || bail "the generator failed"
CFG=$T/config
cp -R "$ROOT/config" "$CFG"
cp "$T/gen/departments.csv" "$CFG/departments.csv"
mkdir -p "$T/a" "$T/b" "$T/c"
cp -R "$T/gen/2023" "$T/a/"
cp -R "$T/gen/2023" "$T/b/"
cp -R "$T/gen/2023" "$T/c/"
nfiles=$(find "$T/a" -name '*.csv' | wc -l)
# the changed copy: one figure more in one table 3
f=$(ls "$T"/c/2023/*/*.csv | head -1)
printf '\n' >>"$f"
facts() { q "SELECT count(*) || ':' || sum(amount) FROM core.fact_amount"; }

newdb one
"$BIN/load" --quiet --dsn "$DSN" --config-dir "$CFG" "$T/a" >"$T/out" 2>"$T/err"
is "$?" 0 "$nfiles files, more than one batch (500 files a batch): exit 0"
ref=$(facts)
is "$(q "SELECT files_loaded FROM etl.runs")" "$nfiles" "... every file loaded"

newdb two
"$BIN/load" --quiet --dsn "$DSN" --config-dir "$CFG" "$T/a" "$T/b" >"$T/out" 2>"$T/err"
is "$?" 0 "the same tables twice in one run (a second root holding a copy): exit 0"
is "$(facts)" "$ref" "... the facts of one load"
is "$(q "SELECT files_loaded || ' ' || files_unchanged FROM etl.runs")" "$nfiles $nfiles" \
	"... the copies are unchanged: the second meeting saw the first one committed"

newdb three
"$BIN/load" --quiet --dsn "$DSN" --config-dir "$CFG" "$T/a" "$T/c" >"$T/out" 2>"$T/err"
is "$?" 0 "a copy with one changed table after the original, in one run: exit 0"
is "$(q "SELECT files_loaded || ' ' || files_unchanged FROM etl.runs")" "$((nfiles + 1)) $((nfiles - 1))" \
	"... the changed table loaded again, the rest unchanged"
is "$(q "SELECT count(*) FROM etl.loaded_tables l JOIN etl.files f USING (file_id)
           WHERE f.file_path LIKE '$T/c/%'")" 1 "... and the changed copy is the version loaded (stream order)"

newdb jobs
"$BIN/load" --quiet --dsn "$DSN" --config-dir "$CFG" --jobs 2 "$T/a" >"$T/out" 2>"$T/err"
is "$?" 0 "--jobs 2 (each worker overlapped): exit 0"
is "$(facts)" "$ref" "... the facts of one load"

# Every run above (two connections each, --jobs 2) leaves the server's log
# without a warning or error: no ROLLBACK or COMMIT outside a transaction,
# no connection dropped without a goodbye.
"$BIN/load" --quiet --dsn "$DSN" --withdraw "$(ls "$T/a" | head -1)" "$(ls "$T/a/$(ls "$T/a" | head -1)" | head -1)" >"$T/out" 2>"$T/err"
is "$?" 0 "a withdrawal: exit 0"
got=$(grep -E 'WARNING|ERROR|FATAL' "$PGC_DIR/log")
is "${got:-none}" none "the server logged no warning or error for these runs"
done_testing
