#!/usr/bin/env bash
# budget-etl: one entry point for users, cron and CI.
#
#   ./run.sh                      install what is missing, build, start the
#                                 embedded PostgreSQL, load samples/, print
#                                 the cross-department summary
#   ./run.sh test                 every test; the last line is the summary
#                                 "N passed, M failed, K skipped"
#   ./run.sh load [opts] PATH...  the production load (see README)
#   ./run.sh migrate [--dsn DSN]  apply sql/ migrations with a privileged role
#   ./run.sh withdraw YEAR DEPT [--stage S]  remove a submission's facts (audited)
#   ./run.sh report [--dsn DSN] [--out DIR] [--year YEAR]
#                                 the review report: a static site in DIR
#                                 (default report/), read as budget_reader
#   ./run.sh psql [args]          psql on the target database
#   ./run.sh extract --records F  what the reader saw in F
#   ./run.sh stop                 stop the embedded cluster
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ETL_HOME="$ROOT"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# Debian packages the project needs: build, run, test.
PACKAGES=(build-essential pkg-config libcsv-dev libpq-dev zlib1g-dev libinih-dev libssl-dev
	postgresql-15 postgresql-client-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	libcmocka-dev python3 clang libclang-rt-14-dev)

log() { printf '%s run.sh: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

missing_packages() {
	local p missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	echo "${missing[@]:-}"
}

ensure_packages() {
	local missing
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		log "installing: $missing"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 || {
			apt-get update -q >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
		}
	else
		echo "Missing system packages. Run as root:" >&2
		echo "  apt-get install -y $missing" >&2
		exit 69
	fi
}

build() { make -s -C "$ROOT" all >&2; }

# ---- the embedded cluster ----------------------------------------------------
# Non-root: data in .local/pg of the checkout, socket beside it.  As root the
# server runs as the postgres system user, which cannot enter a root-owned
# 0700 home; then the cluster lives in /var/tmp/budget-etl-<hash of the
# checkout path>/ (README "Embedded database").  A Unix socket path is
# limited to 107 bytes, so a long checkout path also moves the socket there.
cluster_paths() {
	local hash
	hash=$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
	PGPORT_EMB=$((50000 + hash % 10000))
	if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
		PGBASE=/var/tmp/budget-etl-$hash
	else
		PGBASE=$ROOT/.local/pg
	fi
	PGDATA_EMB=$PGBASE/data
	PGSOCK_EMB=$PGBASE/run
	if [ ${#PGSOCK_EMB} -gt 80 ]; then
		PGSOCK_EMB=/tmp/budget-etl-$hash
	fi
	if [ "$(id -u)" -eq 0 ]; then PGSUPER=postgres; else PGSUPER=$(id -un); fi
	export ETL_EMBEDDED_DSN="host=$PGSOCK_EMB port=$PGPORT_EMB dbname=budget user=$PGSUPER"
}

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_cluster() {
	cluster_paths
	mkdir -p "$PGBASE" "$PGSOCK_EMB"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PGBASE" "$PGSOCK_EMB"
	if [ ! -s "$PGDATA_EMB/PG_VERSION" ]; then
		log "creating the embedded cluster in $PGDATA_EMB"
		as_pg "$PGBIN/initdb" -D "$PGDATA_EMB" -A trust -U "$PGSUPER" -E UTF8 --locale=C.UTF-8 >/dev/null
	fi
	if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA_EMB" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDATA_EMB" -w -l "$PGBASE/server.log" \
			-o "-p $PGPORT_EMB -k $PGSOCK_EMB -c listen_addresses=''" start >/dev/null
	fi
	if ! psql -h "$PGSOCK_EMB" -p "$PGPORT_EMB" -U "$PGSUPER" -d postgres -tAc \
		"select 1 from pg_database where datname='budget'" | grep -q 1; then
		psql -q -h "$PGSOCK_EMB" -p "$PGPORT_EMB" -U "$PGSUPER" -d postgres -c "create database budget"
	fi
}

stop_cluster() {
	cluster_paths
	[ -s "$PGDATA_EMB/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA_EMB" -m fast stop >/dev/null 2>&1 || true
}

# Does the user point at a database of their own?  The program says where
# its database comes from (--dsn, ETL_DSN, PG*, config, or none: then the
# embedded cluster) from its own command line, so the rule lives in one
# place (config_resolve_dsn).  external_db_of PROGRAM ARGS...
external_db_of() {
	local prog=$1 src
	shift
	src=$("$ROOT/build/$prog" --print-dsn-source "$@" 2>/dev/null) || return 1
	case $src in --dsn | ETL_DSN | "PG*" | config) return 0 ;; esac
	return 1
}
external_db() { external_db_of load "$@"; }

# psql on the target database.  The DSN travels in libpq's environment
# variables (set by load --psql), never on psql's command line, where ps
# would show a password.
run_psql() { "$ROOT/build/load" --psql -- "$@"; }

summary() {
	run_psql -q -X -v ON_ERROR_STOP=1 -P footer=off <<'SQL'
\echo '各部门收支（万元） / per department, 10k yuan'
SELECT fiscal_year AS "年度", dept_code AS "部门编码", dept_name AS "部门",
       to_char(revenue_total / 10000, 'FM999999990.00') AS "收入",
       to_char(expenditure_total / 10000, 'FM999999990.00') AS "支出",
       to_char(basic_total / 10000, 'FM999999990.00') AS "基本支出",
       to_char(project_total / 10000, 'FM999999990.00') AS "项目支出",
       checks_failed AS "未通过校验"
FROM mart.department_year ORDER BY fiscal_year, dept_code;
\echo '功能分类类级合计（万元） / function classes across departments'
SELECT fiscal_year AS "年度", region AS "地区", code AS "类", name AS "名称",
       departments AS "部门数",
       to_char(total_amount / 10000, 'FM999999990.00') AS "合计",
       to_char(basic_amount / 10000, 'FM999999990.00') AS "基本支出",
       to_char(project_amount / 10000, 'FM999999990.00') AS "项目支出"
FROM mart.function_rollup WHERE level = '类' ORDER BY fiscal_year, region, code;
\echo '一般公共预算执行（万元） / general budget: budget, final (决算) and execution rate, 10k yuan'
SELECT fiscal_year AS "年度", dept_code AS "部门编码", dept_name AS "部门",
       coalesce(to_char(budget_total / 10000, 'FM999999990.00'), '—') AS "预算",
       coalesce(to_char(final_total / 10000, 'FM999999990.00'), '—') AS "决算",
       coalesce(to_char(execution_rate * 100, 'FM99990.00') || '%', '—') AS "执行率",
       coalesce(checks_failed_final::text, '—') AS "决算未通过校验"
FROM mart.department_execution ORDER BY fiscal_year, dept_code;
SQL
}

# ---- tests -----------------------------------------------------------------
# One runner judges every test program: tests/lib/runner.pl (TAP::Parser for
# TAP and pgTAP, cmocka's output per group).  A program passes only when it
# exits 0, ran to its end (plan met, no bail-out, every cmocka group
# reported) and no sanitizer spoke; a skip is counted apart.  The last line
# is "N passed, M failed, K skipped"; the exit status is 1 when M > 0, when
# nothing passed, or when K > 0 with CI=true.
RUNNER=$ROOT/tests/lib/runner.pl

# run_suite LOGDIR ITEM...: run the items in order and print the summary.
# An ITEM is a heading ("== ...", printed) or KIND:PATH for runner.pl (tap,
# cmocka, pgtap); consecutive pgtap items share one throwaway cluster with
# the migrations applied (tests/sql/run_pgtap.sh).  Every item listed must
# end with a verdict, or it counts as failed ("never ran").  tests/self/
# calls this (./run.sh run-suite) with broken fixtures.
run_suite() {
	local out=$1 ledger a
	shift
	ledger=$out/ledger.tsv
	mkdir -p "$out"
	: >"$ledger"
	local R=(perl "$RUNNER" --ledger "$ledger" --logs "$out") items=() sql=()
	export ETL_HOME=$ROOT ETL_BIN=${ETL_BIN:-$ROOT/build/asan}
	for a; do
		case $a in
		pgtap:*) sql+=("$a") ;;
		*)
			run_sql_items
			case $a in
			==*) echo "$a" ;;
			*) (cd "$ROOT" && "${R[@]}" "$a") || "${R[@]}" --fail "$a" "runner.pl itself failed" ;;
			esac
			;;
		esac
		case $a in ==*) ;; *) items+=("$a") ;; esac
	done
	run_sql_items
	[ ${#items[@]} -eq 0 ] || "${R[@]}" --expect "${items[@]}"
	echo "logs: $out"
	perl "$RUNNER" --summary "$ledger"
}

# The pgtap items gathered so far, on one cluster; a cluster that cannot
# start or migrations that fail are one failure (the files then never ran).
run_sql_items() {
	[ ${#sql[@]} -gt 0 ] || return 0
	if ! (cd "$ROOT" && "$ROOT/tests/sql/run_pgtap.sh" "${R[@]}" "${sql[@]}") 2>"$out/pgtap-cluster.log"; then
		sed 's/^/        /' "$out/pgtap-cluster.log" | tail -15
		"${R[@]}" --fail tests/sql/run_pgtap.sh "no cluster or the migrations failed (see $out/pgtap-cluster.log)"
	fi
	sql=()
}

run_tests() {
	local out=$ROOT/build/test-logs t items=()
	rm -rf "$out"
	mkdir -p "$out"
	if ! build || ! make -s -C "$ROOT" asan >&2; then
		perl "$RUNNER" --ledger "$out/ledger.tsv" --fail build "make or make asan failed"
		perl "$RUNNER" --summary "$out/ledger.tsv"
		return 1
	fi
	items+=("== unit tests (cmocka, ASan+UBSan)")
	for t in "$ROOT"/tests/unit/test_*.c; do
		[ -e "$t" ] && items+=("cmocka:build/asan/tests/$(basename "$t" .c)=tests/unit/$(basename "$t")")
	done
	items+=("== integration tests (TAP)")
	for t in "$ROOT"/tests/integration/*.t; do [ -e "$t" ] && items+=("tap:tests/integration/${t##*/}"); done
	items+=("== SQL tests (pgTAP)")
	for t in "$ROOT"/tests/sql/*.sql; do [ -e "$t" ] && items+=("pgtap:tests/sql/${t##*/}"); done
	items+=("== self tests (the runner fails when it should)")
	for t in "$ROOT"/tests/self/*.t; do [ -e "$t" ] && items+=("tap:tests/self/${t##*/}"); done
	run_suite "$out" "${items[@]}"
}

# ---- commands ----------------------------------------------------------------
cmd=${1:-}
case $cmd in
"")
	ensure_packages
	build
	external_db || start_cluster
	"$ROOT/build/load" --quiet "$ROOT/samples" || rc=$?
	summary
	exit "${rc:-0}"
	;;
test)
	shift
	ensure_packages
	run_tests
	;;
run-suite) # internal: run_suite LOGDIR ITEM... (tests/self/)
	shift
	run_suite "$@"
	;;
load)
	shift
	build
	external_db "$@" || start_cluster
	exec "$ROOT/build/load" "$@"
	;;
migrate)
	shift
	build
	external_db "$@" || start_cluster
	exec "$ROOT/build/load" --migrate "$@"
	;;
withdraw)
	shift
	[ $# -ge 2 ] || { echo "usage: ./run.sh withdraw YEAR DEPT_CODE [--stage budget|adjusted|final] [load options]" >&2; exit 64; }
	build
	y=$1 d=$2
	shift 2
	external_db "$@" || start_cluster
	exec "$ROOT/build/load" --withdraw "$y" "$d" "$@"
	;;
report)
	shift
	build
	external_db_of report "$@" || start_cluster
	exec "$ROOT/build/report" "$@"
	;;
psql)
	shift
	build
	external_db || start_cluster
	exec "$ROOT/build/load" --psql -- "$@"
	;;
extract)
	shift
	build
	exec "$ROOT/build/extract" "$@"
	;;
stop)
	stop_cluster
	;;
*)
	echo "usage: ./run.sh [test|load|migrate|withdraw|report|psql|extract|stop] ..." >&2
	exit 64
	;;
esac
