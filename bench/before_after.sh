#!/usr/bin/env bash
# bench/before_after.sh BEFORE_TREE [AFTER_TREE]: do two versions load the
# same inputs to the same answers?  Each tree (a checkout with build/ made)
# loads, with its own migrations and config, into its own fresh database:
# a generated every-dialect set (40 departments, 2022-2023), samples/,
# tests/data/examples-real/2025 and the real corpus tests/data/real
# (--accept-partial).  Printed per input: the load's exit codes; etl.checks
# rows for passed checks and the checks they count (sum of row_count where
# the column exists); whether the failed checks (year, department, stage,
# table, check, subject, expected, actual, message) are identical; and
# whether every mart view both versions have is byte-identical (psql --csv,
# ordered by every column).  Not part of CI; nothing asserted.
#   git worktree add /tmp/before 075801f && make -C /tmp/before
#   bench/before_after.sh /tmp/before
set -uo pipefail
BEFORE=$(cd "${1:?usage: before_after.sh BEFORE_TREE [AFTER_TREE]}" && pwd)
AFTER=$(cd "${2:-$(dirname "$0")/..}" && pwd)
. "$AFTER/tests/lib/pgcluster.sh"
pgc_start before_after 55991 >/dev/null || exit 1
W=$PGC_DIR/work
mkdir -p "$W"
python3 "$AFTER/tests/gen/gen_submissions.py" --out "$W/gen" --departments 40 --years 2022-2023 \
	--seed 21 --dialects all --quiet
mkcfg() { # mkcfg TREE REGISTRY DIR: TREE's config with that registry
	mkdir -p "$3"
	for d in classifications wording etl.conf; do ln -sfn "$1/config/$d" "$3/$d"; done
	cp "$2" "$3/departments.csv"
}
declare -A IN REG
IN[gen]="$W/gen/2022 $W/gen/2023" REG[gen]=$W/gen/departments.csv
IN[samples]=$AFTER/samples REG[samples]=$AFTER/config/departments.csv
IN[examples_real]=$AFTER/tests/data/examples-real/2025
REG[examples_real]=$AFTER/tests/data/examples-real/departments.csv
IN[corpus]=$(ls -d "$AFTER"/tests/data/real/[0-9]* | tr '\n' ' ')
REG[corpus]=$AFTER/tests/data/real/departments.csv
dsn_of() { echo "host=$PGC_HOST port=$PGC_PORT dbname=$1 user=$PGC_USER"; }
for set in gen samples examples_real corpus; do
	for v in "before:$BEFORE" "after:$AFTER"; do
		n=${v%%:*} t=${v#*:} db=${set}_${v%%:*}
		pgq "$PGC_DSN" "CREATE DATABASE $db" >/dev/null
		dsn=$(dsn_of "$db")
		mkcfg "$t" "${REG[$set]}" "$W/cfg-$db"
		extra=
		[ "$set" = corpus ] && extra=--accept-partial
		# shellcheck disable=SC2086
		ETL_HOME=$t "$t/build/load" --dsn "$dsn" --config-dir "$W/cfg-$db" --quiet $extra ${IN[$set]} \
			>"$W/$db.out" 2>"$W/$db.err"
		echo "$set $n: load exit $?"
		psql -X -qAt "$dsn" -c "SELECT count(*) FILTER (WHERE passed) || ' rows, ' ||
		        coalesce(sum(row_count) FILTER (WHERE passed), 0) || ' checks; failed ' ||
		        count(*) FILTER (WHERE NOT passed) FROM etl.checks" >"$W/$db.counts" 2>/dev/null ||
			psql -X -qAt "$dsn" -c "SELECT count(*) FILTER (WHERE passed) || ' rows, ' ||
		        count(*) FILTER (WHERE passed) || ' checks; failed ' ||
		        count(*) FILTER (WHERE NOT passed) FROM etl.checks" >"$W/$db.counts"
		psql -X -q --csv "$dsn" -c "SELECT fiscal_year, dept_code, stage, table_kind, check_name, subject,
		        expected, actual, message FROM etl.checks WHERE NOT passed ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9" \
			>"$W/$db.failed"
		psql -X -qAt "$dsn" -c "SELECT viewname FROM pg_views WHERE schemaname = 'mart'
		        UNION SELECT matviewname FROM pg_matviews WHERE schemaname = 'mart' ORDER BY 1" >"$W/$db.views"
	done
	b=$W/${set}_before a=$W/${set}_after
	echo "$set passed checks: before $(cat "$b.counts"); after $(cat "$a.counts")"
	echo "$set failed checks identical: $(cmp -s "$b.failed" "$a.failed" && echo yes || echo NO)"
	same=0 differ=0
	for v in $(comm -12 "$b.views" "$a.views"); do
		for n in before after; do
			dsn=$(dsn_of "${set}_$n")
			cols=$(psql -X -qAt "$dsn" -c "SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum)
			        FROM pg_attribute WHERE attrelid = 'mart.$v'::regclass AND attnum > 0 AND NOT attisdropped")
			psql -X -q --csv "$dsn" -c "SELECT $cols FROM mart.$v ORDER BY $cols" >"$W/$set.$n.$v.csv"
		done
		if cmp -s "$W/$set.before.$v.csv" "$W/$set.after.$v.csv"; then
			same=$((same + 1))
		else
			differ=$((differ + 1))
			echo "  differs: mart.$v"
		fi
	done
	echo "$set mart views in both: $((same + differ)), identical $same; only after: $(comm -13 "$b.views" "$a.views" | tr '\n' ' ')"
done
pgc_stop
