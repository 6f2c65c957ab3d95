#!/usr/bin/env bash
# Historical import: 3,000 submissions (375 departments x 8 years, 2018-2025,
# about 27,000 table files) end to end, then the same import killed halfway
# with kill -9 and run again: the rerun must finish without reloading what
# the killed run committed (those files are `unchanged`).
#
#   bench/historical.sh            figures to bench/out/historical.tsv
#   DEPARTMENTS=40 bench/historical.sh   a smaller set (a smoke run)
#   JOBS=2 (default)               load --jobs
#
# On a terminal the loads draw their progress bar (files, rows, MB/s, ETA).
. "$(dirname "$0")/lib.sh"

DEPARTMENTS=${DEPARTMENTS:-375}
JOBS=${JOBS:-2}
PORT=${BENCH_PORT:-56960}
RESULTS=$OUT/historical.results.tsv
H=$OUT/historical.tsv
SET=$WORK/historical-$DEPARTMENTS
: >"$RESULTS"
: >"$H"

need_tools
make -s -C "$TOP" all >&2
generate "$SET" --departments "$DEPARTMENTS" --years 2018-2025 --seed 21 --mix gb18030=0.36,gzip=0.36
CFG=$(config_for "$SET")
read -r NFILES NBYTES < <(set_stats "$SET")
NSUB=$(awk 'END {print NR - 1}' "$SET/expected/dialects.csv")
printf 'set\t%s submissions, %s table files, %.1f MB (375 departments x 8 years unless DEPARTMENTS is set)\n' \
	"$NSUB" "$NFILES" "$(awk -v b="$NBYTES" 'BEGIN {print b / 1e6}')" >>"$H"
start_db historical "$PORT"

load() { "$BIN/load" --dsn "$DSN" --config-dir "$CFG" --jobs "$JOBS" "$@" "$SET"/[0-9]*; }
last_run() { sql "SELECT files_seen || ' files: ' || files_loaded || ' loaded, ' || files_unchanged || ' unchanged, ' || files_rejected || ' rejected; ' || rows_loaded || ' rows loaded; exit ' || coalesce(exit_code::text, '(none: killed)') FROM etl.runs ORDER BY run_id DESC LIMIT 1"; }

# 1. the whole import, uninterrupted
say "historical: full import of $NFILES files"
t0=$(date +%s.%N)
load --quiet || true
t1=$(date +%s.%N)
full=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
facts=$(sql "SELECT count(*) FROM core.fact_amount")
rows=$(sql "SELECT rows_loaded FROM etl.runs ORDER BY run_id DESC LIMIT 1")
printf 'full\t%.1f s: %s; %.0f files/s, %.0f rows/s, %.1f MB/s, %s facts\n' "$full" "$(last_run)" \
	"$(awk -v n="$NFILES" -v t="$full" 'BEGIN {print n / t}')" \
	"$(awk -v n="$rows" -v t="$full" 'BEGIN {print n / t}')" \
	"$(awk -v n="$NBYTES" -v t="$full" 'BEGIN {print n / 1e6 / t}')" "$facts" >>"$H"
printf 'files_per_s\t%s\n' "$(awk -v n="$NFILES" -v t="$full" 'BEGIN {printf "%.0f", n / t}')" >>"$H"
sum_full=$(sql "SELECT count(*) || ' ' || sum(amount) FROM core.fact_amount")

# 2. a fresh database, the import killed with kill -9 once half the files are committed
reset_db
say "historical: import again, kill -9 at half"
# the load binary itself in the background (not a subshell): $! is its pid
if [ -t 2 ]; then q=(); else q=(--quiet); fi
"$BIN/load" --dsn "$DSN" --config-dir "$CFG" --jobs "$JOBS" "${q[@]}" "$SET"/[0-9]* &
pid=$!
half=$((NFILES / 2))
while kill -0 "$pid" 2>/dev/null; do
	done_files=$(sql "SELECT count(*) FROM etl.files" 2>/dev/null || echo 0)
	[ "${done_files:-0}" -ge "$half" ] && break
	sleep 0.2
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
# its workers follow (they stop when load dies), their extract | normalize on a broken pipe
sleep 2
committed=$(sql "SELECT count(*) FROM etl.files WHERE status = 'loaded'")
printf 'killed\tkill -9 after %s of %s files committed (%s loaded)\n' \
	"$(sql 'SELECT count(*) FROM etl.files')" "$NFILES" "$committed" >>"$H"

# 3. the rerun completes the work and reloads nothing done
say "historical: rerun"
t0=$(date +%s.%N)
rc=0
if [ -t 2 ]; then load || rc=$?; else load --quiet || rc=$?; fi
t1=$(date +%s.%N)
[ "$rc" -eq 0 ] || say "historical: the rerun exited $rc"
rerun=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
unchanged=$(sql "SELECT files_unchanged FROM etl.runs ORDER BY run_id DESC LIMIT 1")
printf 'rerun\t%.1f s: %s\n' "$rerun" "$(last_run)" >>"$H"
sum_after=$(sql "SELECT count(*) || ' ' || sum(amount) FROM core.fact_amount")
same=no
[ "$sum_after" = "$sum_full" ] && same=yes
ok=no
[ "$unchanged" = "$committed" ] && [ "$same" = yes ] && ok=yes
printf 'final\tfacts after the rerun equal the uninterrupted import: %s (%s); unchanged in the rerun = committed before the kill: %s = %s\n' \
	"$same" "$sum_after" "$unchanged" "$committed" >>"$H"
printf 'resume_ok\t%s\n' "$ok" >>"$H"
pgc_stop
cat "$H" >&2
