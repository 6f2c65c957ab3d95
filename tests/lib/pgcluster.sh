# Throwaway PostgreSQL clusters for tests (every tests/integration/*.t that
# needs a server, tests/sql/run_pgtap.sh, bench/).  Source it, then:
#
#   pgc_start NAME PORT    creates and starts a cluster; sets PGC_DSN, PGC_HOST,
#                          PGC_PORT, PGC_USER, PGC_DIR and a database "test".
#                          Returns 1 (with the server's words on stderr) when
#                          it cannot: call it as  pgc_start x 5544x || bail ...
#   pgc_stop               stops it and removes its files (also on EXIT; a
#                          test with an EXIT trap of its own calls it there)
#   pgc_ctl ARGS...        pg_ctl -D <the cluster> ARGS, as the server's user
#                          (e.g. pgc_ctl -m fast -w stop: the server goes away)
#   pgq DSN SQL            the rows of SQL, unaligned, without header.  A
#                          query that fails prints "QUERY FAILED: <error>"
#                          instead (so it can never equal an expected value),
#                          its error also on stderr, and returns 1
#   pgq_try DSN SQL        the same, for a query that may fail: prints
#                          nothing on failure
#
# PostgreSQL refuses to run as root: as root the server runs as the postgres
# system user in a directory it owns under /var/tmp; otherwise as the caller.
# The server listens on a Unix socket in that directory only (no TCP), so
# two clusters with the same port do not collide.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

pgc_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pgc_start() {
	local name=$1 port=$2
	PGC_DIR=$(mktemp -d "/var/tmp/budget-etl-test-$name.XXXXXX") || return 1
	trap pgc_stop EXIT
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PGC_DIR"
		PGC_USER=postgres
	else
		PGC_USER=$(id -un)
	fi
	chmod 755 "$PGC_DIR"
	if ! pgc_as "$PGBIN/initdb" -D "$PGC_DIR/data" -A trust -U "$PGC_USER" -E UTF8 --locale=C.UTF-8 \
		>"$PGC_DIR/initdb.log" 2>&1; then
		echo "pgc_start: initdb failed:" >&2
		tail -5 "$PGC_DIR/initdb.log" >&2
		return 1
	fi
	if ! pgc_as "$PGBIN/pg_ctl" -D "$PGC_DIR/data" -w -l "$PGC_DIR/log" \
		-o "-p $port -k $PGC_DIR -c listen_addresses='' -c fsync=off" start >/dev/null 2>&1; then
		echo "pgc_start: the server did not start:" >&2
		tail -5 "$PGC_DIR/log" >&2
		return 1
	fi
	PGC_HOST=$PGC_DIR
	PGC_PORT=$port
	psql -q -X -h "$PGC_HOST" -p "$PGC_PORT" -U "$PGC_USER" -d postgres -c "create database test" ||
		return 1
	PGC_DSN="host=$PGC_HOST port=$PGC_PORT dbname=test user=$PGC_USER"
}

pgc_ctl() { pgc_as "$PGBIN/pg_ctl" -D "$PGC_DIR/data" "$@"; }

pgc_stop() {
	[ -n "${PGC_DIR:-}" ] || return 0
	pgc_as "$PGBIN/pg_ctl" -D "$PGC_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PGC_DIR"
	PGC_DIR=
}

pgq() {
	local err out
	err=$(mktemp "${TMPDIR:-/tmp}/pgq.XXXXXX")
	if out=$(psql -X -qtA -v ON_ERROR_STOP=1 "$1" -c "$2" 2>"$err"); then
		rm -f "$err"
		printf '%s\n' "$out"
		return 0
	fi
	printf 'QUERY FAILED: %s\n' "$(tr '\n' ' ' <"$err")"
	sed 's/^/pgq: /' "$err" >&2
	rm -f "$err"
	return 1
}

pgq_try() { psql -X -qtA -v ON_ERROR_STOP=1 "$1" -c "$2" 2>/dev/null; }
