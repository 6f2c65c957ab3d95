/*
 * migrate: the schema of a database, from sql/ of the installation.
 *
 *   sql/migrations/NNN_name.sql   append-only: each applied once, in name
 *                                 order, in its own transaction, recorded in
 *                                 etl.schema_migrations with its sha256
 *   sql/views/NNN_name.sql        repeatable: every file re-applied, in name
 *                                 order and one transaction, whenever any of
 *                                 them differs from what etl.schema_repeatables
 *                                 recorded (views, functions, materialized
 *                                 views, created with their data)
 *
 * Refused, with reason "bad_config" (exit 78), naming the file:
 *   - an applied migration whose file changed (its sha256 differs from the
 *     one recorded): migrations are append-only, a change is a new file;
 *   - a pending migration whose name sorts before one applied with a
 *     recorded checksum (it would run out of order on this database).
 *
 * Databases migrated before checksums existed (budget-etl before the
 * restructuring; their rows have no sha256): the first migrate records the
 * sha256 of each applied migration's file as it is now ("adopted"), applies
 * what is pending in name order (the ordering rule counts only checksums
 * recorded when the migration was applied), and applies sql/views/, which
 * replaces whatever views the database had.
 *
 * Errors: -1 with err as pgwriter.h describes; a permission failure gets the
 * hint to run ./run.sh migrate with a privileged role.
 */
#ifndef ETL_MIGRATE_H
#define ETL_MIGRATE_H

#include "err.h"
#include "pgwriter.h"

struct migrate_result {
	int applied;        /* migrations applied */
	int adopted;        /* checksums recorded for pre-checksum migrations */
	bool views_applied; /* sql/views/ was (re)applied */
};

/* Bring the database to sql_dir's schema. */
int migrate_run(struct pgw *w, const char *sql_dir, struct migrate_result *res,
                struct etl_err *err);

/* sha256 of a file as 64 hex digits (for tests and messages). */
int migrate_file_sha256(const char *path, char hex[65], struct etl_err *err);

#endif
