# Shared by bench.sh and historical.sh: paths, tools, the throwaway cluster,
# and `measure`, which runs one command under /usr/bin/time -v and appends a
# line to $RESULTS:
#   name <TAB> rep <TAB> seconds <TAB> max_rss_kb <TAB> exit <TAB> extra
# Nothing here asserts a time: the figures go to the report.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
OUT=${BENCH_OUT:-$BENCH/out}
WORK=$OUT/work
BIN=$TOP/build
GEN="python3 $TOP/tests/gen/gen_submissions.py"
export ETL_HOME=$TOP
mkdir -p "$OUT" "$WORK"
# Some machines clean /tmp: everything the benchmark writes stays under bench/out.
export TMPDIR=$WORK

say() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Tools the benchmark needs and CI does not: installed here, as root, by name.
need_tools() {
	local missing=()
	[ -x /usr/bin/time ] || missing+=(time)
	command -v pgloader >/dev/null || missing+=(pgloader)
	command -v valgrind >/dev/null || missing+=(valgrind)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		say "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 || {
			apt-get update -q >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
		}
	else
		echo "bench: missing tools; as root: apt-get install -y ${missing[*]}" >&2
		exit 69
	fi
}

# A throwaway cluster (tests/lib/pgcluster.sh: fsync=off, Unix socket only).
start_db() { # start_db NAME PORT
	# shellcheck source=../tests/lib/pgcluster.sh
	. "$TOP/tests/lib/pgcluster.sh"
	pgc_start "$1" "$2"
	export DSN=$PGC_DSN
	"$BIN/load" --dsn "$DSN" --migrate >/dev/null
}

sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$DSN" -c "$1"; }

# Empty every table a load writes, so that each repetition is a first load.
reset_db() {
	sql "TRUNCATE core.fact_amount, core.project, core.project_indicator, etl.checks,
	     etl.rejects, etl.files, etl.loaded_tables, etl.withdrawals, etl.runs, etl.refresh_years,
	     core.function_rollup_store, core.execution_rollup_store;
	     DELETE FROM etl.state; DELETE FROM core.dim_department WHERE NOT registered;
	     SELECT etl.refresh_marts()"
	sql "VACUUM ANALYZE core.fact_amount" 2>/dev/null || true
	sql "CHECKPOINT"
}

# measure NAME REP [--in FILE] [--out FILE] -- CMD...
measure() {
	local name=$1 rep=$2 in=/dev/null out=/dev/null t0 t1 rc=0 tf
	shift 2
	while [ "$1" != -- ]; do
		case $1 in
		--in) in=$2; shift 2 ;;
		--out) out=$2; shift 2 ;;
		*) echo "measure: bad option $1" >&2; return 64 ;;
		esac
	done
	shift
	tf=$WORK/time.$$
	t0=$(date +%s.%N)
	/usr/bin/time -v -o "$tf" "$@" <"$in" >"$out" 2>>"$WORK/stderr.log" || rc=$?
	t1=$(date +%s.%N)
	local rss
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")
	printf '%s\t%s\t%.4f\t%s\t%s\t%s\n' "$name" "$rep" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
		"${rss:-0}" "$rc" "${EXTRA:-}" >>"$RESULTS"
	return 0
}

# A config dir that is config/ with the generated registry (the generated
# departments are then registered, as in a real deployment).
config_for() { # config_for SET_DIR -> prints the config dir
	local set=$1 c=$1.config
	if [ ! -d "$c" ]; then
		mkdir -p "$c"
		for d in classifications wording etl.conf; do ln -sfn "$TOP/config/$d" "$c/$d"; done
		cp "$set/departments.csv" "$c/departments.csv"
	fi
	echo "$c"
}

# Input of a set: files, bytes on disk, bytes decoded (from expected/files.csv).
set_stats() { # set_stats DIR -> "files bytes"
	find "$1"/[0-9]* \( -name '*.csv' -o -name '*.csv.gz' \) -type f \
		-printf '%s\n' | awk '$0 != "" {n++; s += $1} END {printf "%d %d\n", n, s}'
}

generate() { # generate DIR ARGS...: once per ARGS (the generator is deterministic)
	local dir=$1
	shift
	if [ "$(cat "$dir/.done" 2>/dev/null)" != "$*" ]; then
		rm -rf "$dir"
		say "generating $(basename "$dir"): $*"
		$GEN --out "$dir" --quiet "$@"
		echo "$*" >"$dir/.done"
	fi
}
