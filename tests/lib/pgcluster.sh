# Throwaway PostgreSQL clusters for tests.  Source it, then:
#   pgc_start NAME PORT    creates and starts a cluster; sets PGC_DSN, PGC_HOST,
#                          PGC_PORT, PGC_USER and a database "test"
#   pgc_stop               stops it and removes its files (also on EXIT)
# PostgreSQL refuses to run as root: as root the server runs as the postgres
# system user in a directory it owns under /var/tmp; otherwise as the caller.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

pgc_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pgc_start() {
	local name=$1 port=$2
	PGC_DIR=$(mktemp -d "/var/tmp/budget-etl-test-$name.XXXXXX")
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PGC_DIR"
		PGC_USER=postgres
	else
		PGC_USER=$(id -un)
	fi
	chmod 755 "$PGC_DIR"
	pgc_as "$PGBIN/initdb" -D "$PGC_DIR/data" -A trust -U "$PGC_USER" -E UTF8 --locale=C.UTF-8 >/dev/null
	pgc_as "$PGBIN/pg_ctl" -D "$PGC_DIR/data" -w -l "$PGC_DIR/log" \
		-o "-p $port -k $PGC_DIR -c listen_addresses='' -c fsync=off" start >/dev/null
	PGC_HOST=$PGC_DIR
	PGC_PORT=$port
	psql -q -X -h "$PGC_HOST" -p "$PGC_PORT" -U "$PGC_USER" -d postgres -c "create database test"
	PGC_DSN="host=$PGC_HOST port=$PGC_PORT dbname=test user=$PGC_USER"
	trap pgc_stop EXIT
}

pgc_stop() {
	[ -n "${PGC_DIR:-}" ] || return 0
	pgc_as "$PGBIN/pg_ctl" -D "$PGC_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PGC_DIR"
	PGC_DIR=
}
