#!/usr/bin/env bash
# pgTAP tests: a throwaway cluster, the project's schema applied by the
# loader's own migrate (sql/migrations, then sql/views), pg_prove.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/pgcluster.sh"
pgc_start pgtap 55440
psql -q -X "$PGC_DSN" -c "create extension pgtap"
ETL_HOME=$ROOT "$BIN/load" --migrate --quiet --dsn "$PGC_DSN"
cd "$ROOT"
pg_prove -v -h "$PGC_HOST" -p "$PGC_PORT" -U "$PGC_USER" -d test tests/sql/*.sql
