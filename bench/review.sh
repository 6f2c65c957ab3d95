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
	local set=$1 gen=$2 n=$3
	[ -s "$set/.done" ] && return 0
	say "review: $n copies of $(basename "$gen")"
	rm -rf "$set"
	python3 - "$set" "$gen" "$n" <<'PY'
import csv, os, sys
dst, src, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def code(c, k):
    return k if c == 0 or not k else "9%d%s" % (c, k)
for year in sorted(os.listdir(src)):
    if not year.isdigit():
        continue
    for dept in sorted(os.listdir(os.path.join(src, year))):
        for c in range(n):
            for root, _, files in os.walk(os.path.join(src, year, dept)):
                rel = os.path.relpath(root, os.path.join(src, year, dept))
                out = os.path.normpath(os.path.join(dst, year, code(c, dept), rel))
                os.makedirs(out, exist_ok=True)
                for f in files:
                    os.link(os.path.join(root, f), os.path.join(out, f))
with open(os.path.join(src, "departments.csv"), encoding="utf-8", newline="") as fin, \
        open(os.path.join(dst, "departments.csv"), "w", encoding="utf-8", newline="") as fout:
    rows = list(csv.reader(fin))
    w = csv.writer(fout, lineterminator="\n")
    w.writerow(rows[0])
    for r in rows[1:]:
        for c in range(n):
            r2 = list(r) + [""] * (7 - len(r))
            r2[0] = code(c, r2[0])
            if c:
                r2[1] = "%s（%d）" % (r2[1], c)
            r2[6] = code(c, r2[6])
            w.writerow(r2)
PY
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
