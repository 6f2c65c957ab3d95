#!/usr/bin/env bash
# The throughput benchmark (make bench).  Generates submissions with the
# project's generator in mixed dialects, then, REPS times each (medians in
# the report):
#   extract, normalize and load each alone, and end to end (--jobs 1 and 2);
#   the limit: psql \copy of exactly the resulting fact rows (one CSV dumped
#   from core.fact_amount) into a table of the same shape and indexes, and
#   COPY of the same CSV from a server-side file;
#   the peer: pgloader loading the same CSV into the same table;
#   extract + normalize alone on UTF-8-only and GB18030-only input (MB/s);
#   peak RSS end to end at about 100, 1,000 and 10,000 table files;
#   a callgrind instruction count of extract on a fixed input.
# Results: bench/out/results.tsv; report: bench/out/report.txt (report.py).
# Environment: REPS (default 3), SCALE (default 1; 0.2 for a smoke run),
# BENCH_PARTS (default all: "workloads nightly encodings rss callgrind"; a
# subset measures only those parts again and keeps the other results).
. "$(dirname "$0")/lib.sh"

REPS=${REPS:-3}
SCALE=${SCALE:-1}
PORT=${BENCH_PORT:-56950}
RESULTS=$OUT/results.tsv
export RESULTS
scale() { awk -v n="$1" -v s="$SCALE" 'BEGIN {v = int(n * s + 0.5); print (v < 1 ? 1 : v)}'; }

need_tools
make -s -C "$TOP" all >&2
PARTS=${BENCH_PARTS:-workloads nightly encodings rss callgrind}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
# the names a part writes in results.tsv and sets.tsv (what a rerun replaces)
part_names() {
	local p re= tab=$'\t'
	for p in $PARTS; do
		case $p in
		workloads) re="$re|large|district" ;;
		nightly) re="$re|nightly" ;;
		encodings) re="$re|utf8|gb18030" ;;
		rss) re="$re|rss[0-9]+" ;;
		callgrind) re="$re|callgrind" ;;
		esac
	done
	echo "^(${re#|})[.$tab]"
}
if [ -z "${BENCH_PARTS:-}" ]; then
	: >"$RESULTS"
	: >"$OUT/sets.tsv"
else
	for f in "$RESULTS" "$OUT/sets.tsv"; do
		touch "$f"
		grep -Ev "$(part_names)" "$f" >"$f.keep" || true
		mv "$f.keep" "$f"
	done
fi
: >"$WORK/stderr.log"
MIX=gb18030=0.36,gzip=0.36

# --- the sets ------------------------------------------------------------------
DISTRICT=$WORK/district
LARGE=$WORK/large
UTF8=$WORK/utf8
GB=$WORK/gb18030
generate "$DISTRICT" --departments "$(scale 300)" --years 2023-2024 --seed 11 --mix $MIX
generate "$LARGE" --departments "$(scale 20)" --years 2023-2024 --seed 12 --mix $MIX \
	--rows-per-table 3000 --codes-dir "$TOP/config/classifications"
generate "$UTF8" --departments "$(scale 10)" --years 2024 --seed 13 --dialects clean \
	--rows-per-table 3000 --codes-dir "$TOP/config/classifications"
generate "$GB" --departments "$(scale 10)" --years 2024 --seed 13 --dialects gb18030 \
	--rows-per-table 3000 --codes-dir "$TOP/config/classifications"
# the RSS ladder: about 100, 1,000 and 10,000 table files (9.3 files a submission)
generate "$WORK/rss100" --departments 11 --years 2024 --seed 14 --mix $MIX
generate "$WORK/rss1000" --departments 108 --years 2024 --seed 14 --mix $MIX
generate "$WORK/rss10000" --departments "$(scale 540)" --years 2023-2024 --seed 14 --mix $MIX

# dialect shares of a set (per file), for the report
shares() { # shares NAME DIR
	awk -F, -v n="$1" 'NR > 1 {f++; if ($5 == "gb18030") g++; if ($6 == "gzip") z++}
		END {printf "%s\tshares\t%d\t%.3f\t%.3f\n", n, f, g / f, z / f}' "$2/expected/files.csv"
}
{
	shares district "$DISTRICT"
	shares large "$LARGE"
	for s in district large utf8 gb18030 rss100 rss1000 rss10000; do
		read -r nf nb < <(set_stats "$WORK/$s")
		printf '%s\tinput\t%s\t%s\n' "$s" "$nf" "$nb"
	done
} | { grep -E "$(part_names)" || true; } >>"$OUT/sets.tsv"

start_db bench "$PORT"
say "cluster up ($(sql 'SHOW server_version'))"
echo "machine	$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load average at start $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/machine.tsv"

# --- stages alone and end to end --------------------------------------------------
stages() { # stages NAME DIR
	local name=$1 dir=$2 cfg raw norm
	cfg=$(config_for "$dir")
	raw=$WORK/$name.raw.stream
	norm=$WORK/$name.norm.stream
	for rep in $(seq "$REPS"); do
		say "$name rep $rep: stages"
		measure "$name.extract" "$rep" --out "$raw" -- "$BIN/extract" --config-dir "$cfg" "$dir"/[0-9]*
		measure "$name.normalize" "$rep" --in "$raw" --out "$norm" -- "$BIN/normalize" --config-dir "$cfg"
		reset_db
		measure "$name.load" "$rep" --in "$norm" -- "$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet
		reset_db
		measure "$name.e2e" "$rep" -- "$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet "$dir"/[0-9]*
		reset_db
		measure "$name.e2e_jobs2" "$rep" -- "$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet --jobs 2 "$dir"/[0-9]*
	done
	# what the last run wrote: facts, R records, checks
	printf '%s\tcounts\t%s\t%s\t%s\t%s\t%s\n' "$name" \
		"$(sql 'SELECT count(*) FROM core.fact_amount')" \
		"$(sql 'SELECT files_seen || E'\''\t'\'' || rows_loaded || E'\''\t'\'' || exit_code FROM etl.runs ORDER BY run_id DESC LIMIT 1')" \
		"$(sql 'SELECT count(*) FROM etl.checks')" >>"$OUT/sets.tsv"
}

# --- the limit and the peer on the same facts --------------------------------------
limit() { # limit NAME: after stages NAME, with its facts in core.fact_amount
	local name=$1 csv=$PGC_DIR/$1.facts.csv cols
	cols="fiscal_year, dept_code, stage, table_kind, row_role, code, label, measure, amount, file_id, line"
	sql "COPY (SELECT $cols FROM core.fact_amount) TO '$csv' CSV"
	[ "$(id -u)" -eq 0 ] && chmod a+r "$csv"
	# The limit table is exactly core.fact_amount: its columns, constraints,
	# defaults and indexes (LIKE ... INCLUDING ALL copies the primary key and
	# the index on (table_kind, row_role, code, dept_code): nothing is added),
	# and the same partitions (2010..2040 and a default).
	sql "DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench;
	     CREATE TABLE bench.fact_copy (LIKE core.fact_amount INCLUDING ALL) PARTITION BY LIST (fiscal_year);
	     CREATE TABLE bench.fact_copy_other PARTITION OF bench.fact_copy DEFAULT;
	     DO \$\$ BEGIN FOR y IN 2010..2040 LOOP
	         EXECUTE format('CREATE TABLE bench.fact_copy_%s PARTITION OF bench.fact_copy FOR VALUES IN (%s)', y, y);
	     END LOOP; END \$\$"
	printf '%s\tlimit_indexes\t%s\t%s\n' "$name" \
		"$(sql "SELECT count(*) FROM pg_indexes WHERE schemaname = 'bench' AND tablename = 'fact_copy'")" \
		"$(sql "SELECT count(*) FROM pg_indexes WHERE schemaname = 'core' AND tablename = 'fact_amount'")" >>"$OUT/sets.tsv"
	cat >"$WORK/$name.pgloader" <<EOF
LOAD CSV
     FROM '$csv' ($cols)
     INTO postgresql://$PGC_USER@unix:$PGC_HOST:$PGC_PORT/test?bench.fact_copy ($cols)
     WITH fields terminated by ',', fields optionally enclosed by '"', fields escaped by double-quote,
          workers = 2, concurrency = 1
      SET work_mem to '64MB';
EOF
	for rep in $(seq "$REPS"); do
		say "$name rep $rep: \\copy, server COPY, pgloader"
		sql "TRUNCATE bench.fact_copy; CHECKPOINT"
		measure "$name.psql_copy" "$rep" -- psql -X -q -v ON_ERROR_STOP=1 "$DSN" -c "\\copy bench.fact_copy ($cols) FROM '$csv' CSV"
		sql "TRUNCATE bench.fact_copy; CHECKPOINT"
		measure "$name.server_copy" "$rep" -- psql -X -q -v ON_ERROR_STOP=1 "$DSN" -c "COPY bench.fact_copy ($cols) FROM '$csv' CSV"
		sql "TRUNCATE bench.fact_copy; CHECKPOINT"
		EXTRA=pgloader measure "$name.pgloader" "$rep" -- pgloader --root-dir "$WORK/pgloader" --on-error-stop "$WORK/$name.pgloader"
		printf '%s\tpgloader_rows\t%s\n' "$name" "$(sql 'SELECT count(*) FROM bench.fact_copy')" >>"$OUT/sets.tsv"
	done
}

if part workloads; then
	stages large "$LARGE"
	limit large
	stages district "$DISTRICT"
	limit district
fi

# --- a nightly run beside a growing database --------------------------------------------
# The same one department loaded into an empty database and into one that
# already holds about 10^4, 10^5 and 10^6 facts of other departments (the
# first N departments of a set of N + 1; the generator draws each
# department's tables independently of how many follow).
nightly() { # nightly NAME DEPARTMENTS ROWS_PER_TABLE
	local name=$1 n=$2 rows=$3 set cfg last
	set=$WORK/nightly_$name
	generate "$set" --departments $((n + 1)) --years 2024 --seed 16 --dialects clean \
		--rows-per-table "$rows" --codes-dir "$TOP/config/classifications"
	cfg=$(config_for "$set")
	last=$(ls "$set/2024" | sort | tail -1)
	rm -rf "$set.base" "$set.one"
	mkdir -p "$set.base/2024" "$set.one/2024"
	for d in $(ls "$set/2024" | sort); do
		if [ "$d" = "$last" ]; then cp -R "$set/2024/$d" "$set.one/2024/"; else cp -R "$set/2024/$d" "$set.base/2024/"; fi
	done
	for rep in $(seq "$REPS"); do
		say "nightly $name rep $rep"
		reset_db
		measure "nightly.$name.empty" "$rep" -- "$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet "$set.one/2024"
		reset_db
		"$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet "$set.base/2024" >/dev/null 2>&1 || true
		sql "VACUUM ANALYZE"
		sql "CHECKPOINT"
		printf 'nightly.%s\tbase_facts\t%s\n' "$name" "$(sql 'SELECT count(*) FROM core.fact_amount')" >>"$OUT/sets.tsv"
		measure "nightly.$name.beside" "$rep" -- "$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet "$set.one/2024"
	done
}
# About 1,350, 3,700 and 7,000 facts a department at 250, 1,000 and 3,000
# rows a table: 8, 27 and 144 departments beside make 10^4, 10^5 and 10^6.
if part nightly; then
	nightly 1e4 "$(scale 8)" 250
	nightly 1e5 "$(scale 27)" 1000
	nightly 1e6 "$(scale 144)" 3000
fi

# --- extract + normalize alone by encoding -------------------------------------------
part encodings && for s in utf8 gb18030; do
	cfg=$(config_for "$WORK/$s")
	for rep in $(seq "$REPS"); do
		say "$s rep $rep: extract | normalize"
		measure "$s.extract_normalize" "$rep" -- bash -c "\"$BIN/extract\" --config-dir \"$cfg\" \"$WORK/$s\"/[0-9]* | \"$BIN/normalize\" --config-dir \"$cfg\""
		measure "$s.extract" "$rep" -- "$BIN/extract" --config-dir "$cfg" "$WORK/$s"/2024
	done
done

# --- peak RSS from 100 to 10,000+ files ------------------------------------------------
part rss && for s in rss100 rss1000 rss10000; do
	cfg=$(config_for "$WORK/$s")
	say "$s: end to end, peak RSS"
	reset_db
	measure "$s.e2e" 1 -- "$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet "$WORK/$s"/[0-9]*
	for st in extract normalize; do
		if [ $st = extract ]; then
			measure "$s.$st" 1 --out "$WORK/$s.raw.stream" -- "$BIN/extract" --config-dir "$cfg" "$WORK/$s"/[0-9]*
		else
			measure "$s.$st" 1 --in "$WORK/$s.raw.stream" --out /dev/null -- "$BIN/normalize" --config-dir "$cfg"
		fi
	done
done
rm -f "$WORK"/*.stream

# --- instructions: callgrind on a fixed input (no timing noise) ------------------------
if part callgrind; then
	FIXED=$WORK/fixed
	generate "$FIXED" --departments 12 --years 2024 --seed 15 --mix $MIX
	cfg=$(config_for "$FIXED")
	say "callgrind of extract on a fixed input"
	valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
		"$BIN/extract" --config-dir "$cfg" "$FIXED/2024" >/dev/null 2>"$WORK/callgrind.log" || true
	ir=$(sed -n 's/^summary: *//p' "$WORK/callgrind.out" | head -1)
	read -r nf nb < <(set_stats "$FIXED")
	printf 'callgrind\textract\t%s\t%s\t%s\n' "${ir:-0}" "$nf" "$nb" >>"$OUT/sets.tsv"
	callgrind_annotate "$WORK/callgrind.out" 2>/dev/null | sed -n '1,40p' >"$OUT/callgrind.txt" || true
	say "callgrind of normalize on the same input"
	"$BIN/extract" --config-dir "$cfg" "$FIXED/2024" >"$WORK/fixed.raw.stream" 2>/dev/null || true
	valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.normalize.out" \
		"$BIN/normalize" --config-dir "$cfg" <"$WORK/fixed.raw.stream" >/dev/null 2>"$WORK/callgrind.normalize.log" || true
	ir=$(sed -n 's/^summary: *//p' "$WORK/callgrind.normalize.out" | head -1)
	printf 'callgrind\tnormalize\t%s\t%s\t%s\n' "${ir:-0}" "$nf" "$nb" >>"$OUT/sets.tsv"
	callgrind_annotate "$WORK/callgrind.normalize.out" 2>/dev/null | sed -n '1,40p' >"$OUT/callgrind.normalize.txt" || true
fi

pgc_stop
