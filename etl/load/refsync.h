/*
 * refsync: keeps the database's reference dimensions in step with config/.
 *
 * At the start of a writing run the loader hashes (sha256) the sources:
 *   classifications  every file under config/classifications/ (recursive;
 *                    relative path and bytes, in path order)
 *   departments      config/departments.csv, plus the [defaults] region
 *                    and unit type of etl.conf (they land in dim_region)
 *   measures         the amount measures of common/measure.def (compiled
 *                    in), upserted into core.dim_measure
 * and compares them with etl.reference_sync.  When one differs (or force),
 * it reloads, via COPY in ONE transaction: core.dim_function (with the
 * cofog_division of each code's 类), core.dim_economic, core.econ_crosswalk,
 * core.code_change, core.dim_region, core.dim_department (registered rows;
 * departments first seen in files keep registered = false, a department no
 * longer listed becomes registered = false), core.dim_fiscal_year; then
 * records the hashes and sets etl.state refresh_pending.
 *
 * Ownership: nothing is kept between calls.  Errors: -1 with err from
 * pgwriter (db_*), or "bad_config" when config/ cannot be read or parsed.
 */
#ifndef ETL_REFSYNC_H
#define ETL_REFSYNC_H

#include <stdbool.h>

#include "config.h"
#include "err.h"
#include "pgwriter.h"

/*
 * Sync when needed.  *synced tells whether the dimensions were reloaded.
 * reg and cfg are the registry and settings already read from config_dir.
 */
int refsync_run(struct pgw *w, const char *config_dir, const struct dept_registry *reg,
                const struct etl_config *cfg, bool force, bool *synced, struct etl_err *err);

/*
 * sha256 (hex, 65 bytes) of every regular file under dir, recursively, as
 * relative path + NUL + bytes in path order; a missing dir hashes as empty.
 */
int refsync_hash_tree(const char *dir, char hex[65], struct etl_err *err);

#endif
