#!/usr/bin/env bash
# pgTAP tests: a throwaway cluster, the project's migrations, pg_prove.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/pgcluster.sh"
pgc_start pgtap 55440
psql -q -X "$PGC_DSN" -c "create extension pgtap"
for f in "$ROOT"/sql/[0-9]*.sql; do
	psql -q -X -v ON_ERROR_STOP=1 -1 "$PGC_DSN" -f "$f" >/dev/null
done
cd "$ROOT"
pg_prove -v -h "$PGC_HOST" -p "$PGC_PORT" -U "$PGC_USER" -d test tests/sql/*.sql
