/*
 * runlog: the load stage's log lines about the run itself, on stderr:
 *
 *   2024-03-01T09:30:12+08:00 load run 42: loaded 2023/109001 table 3 (18 rows)
 *
 * Each line carries an ISO 8601 local timestamp and the run id (once the run
 * row exists; "run -" before).  runlog_info() is silenced by --quiet;
 * runlog_warn() and runlog_error() always print: they are the problems cron
 * should mail.  Rejects (path:line: reason: message) are data diagnostics
 * and are printed by the caller without this prefix.
 *
 * Ownership: the module keeps only a copy of the program name and the run id;
 * nothing to free.  Not thread-safe (the loader is single-threaded).
 */
#ifndef ETL_RUNLOG_H
#define ETL_RUNLOG_H

#include <stdbool.h>

void runlog_init(const char *prog, bool quiet);
void runlog_set_run(long long run_id);
bool runlog_quiet(void);

void runlog_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void runlog_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void runlog_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
