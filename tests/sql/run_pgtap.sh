#!/usr/bin/env bash
# pgTAP tests: a throwaway cluster with the project's migrations applied by
# the loader itself (load --migrate, as ./run.sh migrate does), then
#
#   tests/sql/run_pgtap.sh                  pg_prove -v tests/sql/*.sql
#   tests/sql/run_pgtap.sh CMD ARGS...      CMD with PGTAP_DSN (and PGC_*) set:
#                                           run.sh test passes tests/lib/runner.pl
#
# Exits non-zero (and runs nothing) when the cluster or a migration fails.
# ETL_BIN: the directory of the load program (default build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/pgcluster.sh"
pgc_start pgtap 55440 || { echo "run_pgtap.sh: no cluster" >&2; exit 1; }
psql -q -X -v ON_ERROR_STOP=1 "$PGC_DSN" -c "create extension pgtap" >&2
ETL_HOME=$ROOT "$BIN/load" --quiet --dsn "$PGC_DSN" --migrate >&2 ||
	{ echo "run_pgtap.sh: $BIN/load --migrate failed" >&2; exit 1; }
export PGTAP_DSN=$PGC_DSN PGC_DSN PGC_HOST PGC_PORT PGC_USER
cd "$ROOT"
if [ $# -eq 0 ]; then
	pg_prove -v -h "$PGC_HOST" -p "$PGC_PORT" -U "$PGC_USER" -d test tests/sql/*.sql
else
	"$@"
fi
