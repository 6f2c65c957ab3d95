#!/usr/bin/env bash
# The review report at 30, 300 and 3,000 departments (make bench; alone:
# make -C bench review).  For each size: the project's generator writes one
# year of budgets with their final accounts (决算), load puts them in a
# throwaway database, then build/report writes the site REPS times.  The
# generator knows at most 1,050 departments: above 1,000 the set is copies
# of a generated one under new codes (9, the copy number, then the code:
# no generated code starts with 9), registered under
# new names (so each copy also fails dept_name_matches_registry, as a real
# department whose name changed would).
# Results (nothing asserted: a slow machine gives a report, not a failure):
#   results.tsv  review.N  rep  seconds  peak RSS  exit
#   sets.tsv     reviewN   site  departments  files  bytes  index.html bytes
#                                 largest sheet bytes
# Environment: REPS (default 3), SCALE (default 1: 30, 300 and 3,000).
. "$(dirname "$0")/lib.sh"

REPS=${REPS:-3}
SCALE=${SCALE:-1}
PORT=${BENCH_PORT:-56962}
RESULTS=$OUT/results.tsv
export RESULTS
scale() { awk -v n="$1" -v s="$SCALE" 'BEGIN {v = int(n * s + 0.5); print (v < 1 ? 1 : v)}'; }

[ -x /usr/bin/time ] || need_tools
make -s -C "$TOP" all >&2
touch "$RESULTS" "$OUT/sets.tsv"
# this script's own lines are replaced, the others' kept
sed -i '/^review\./d' "$RESULTS"
sed -i '/^review[0-9]/d' "$OUT/sets.tsv"

start_db review "$PORT"
# copies SET GENERATED N: SET is N copies of GENERATED (hard links)
copies() {
	local set=$1 gen=$2 n=$3 c dir code
	[ -s "$set/.done" ] && return 0
	say "review: $n copies of $(basename "$gen")"
	rm -rf "$set"
	mkdir -p "$set"
	for dir in "$gen"/[0-9]*/*/; do
		dir=${dir%/}
		code=${dir##*/}
		for c in $(seq 0 $((n - 1))); do
			mkdir -p "$set/$(basename "$(dirname "$dir")")"
			cp -al "$dir" "$set/$(basename "$(dirname "$dir")")/$([ "$c" = 0 ] || echo "9$c")$code"
		done
	done
	awk -F, -v OFS=, -v n="$n" 'NR == 1 { print; next }
		{ print; for (c = 1; c < n; c++) { r = $0; split(r, f, ",");
		  f[1] = "9" c f[1]; f[2] = f[2] "（" c "）"; if (f[7] != "") f[7] = "9" c f[7];
		  print f[1], f[2], f[3], f[4], f[5], f[6], f[7] } }' "$gen/departments.csv" >"$set/departments.csv"
	echo "$n copies of $gen" >"$set/.done"
}

for n in 30 300 3000; do
	d=$(scale "$n")
	n_copies=$(((d + 999) / 1000))
	set=$WORK/review$d
	if [ "$n_copies" = 1 ]; then
		generate "$set" --departments "$d" --years 2023 --seed 21 --final on --mix gb18030=0.3,gzip=0.3
	else
		generate "$WORK/review-base$((d / n_copies))" --departments "$((d / n_copies))" --years 2023 \
			--seed 21 --final on --mix gb18030=0.3,gzip=0.3
		copies "$set" "$WORK/review-base$((d / n_copies))" "$n_copies"
	fi
	cfg=$(config_for "$set")
	reset_db
	say "review $d departments: loading"
	"$BIN/load" --dsn "$DSN" --config-dir "$cfg" --quiet --jobs 2 "$set"/[0-9]* \
		>/dev/null 2>>"$WORK/stderr.log" || true
	site=$WORK/review$d.site
	for rep in $(seq "$REPS"); do
		say "review $d departments rep $rep: report"
		rm -rf "$site"
		measure "review.$d" "$rep" -- "$BIN/report" --dsn "$DSN" --out "$site" --quiet
	done
	printf 'review%s\tsite\t%s\t%s\t%s\t%s\t%s\n' "$d" \
		"$(sql 'SELECT count(*) FROM mart.department_year')" \
		"$(find "$site" -type f | wc -l)" \
		"$(du -sb "$site" | cut -f1)" \
		"$(stat -c %s "$site/index.html" 2>/dev/null || echo 0)" \
		"$(find "$site" -name '*.html' ! -name index.html -printf '%s\n' | sort -n | tail -1)" \
		>>"$OUT/sets.tsv"
done
pgc_stop
