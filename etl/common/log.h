/*
 * log: the one way the three programs print diagnostics about themselves
 * (PostgreSQL's common/logging.h model), on stderr.
 *
 * extract and normalize print plain lines:
 *
 *   normalize: stream line 12 is not a budget-etl record
 *
 * load stamps each line with an ISO 8601 local time and the run id (once the
 * run row exists; "run -" before), for cron mail and log files:
 *
 *   2024-03-01T09:30:12+08:00 load run 42: loaded 2023/109001 table 3 (18 rows)
 *
 * log_info() is silenced by --quiet; log_warn() and log_error() always
 * print: they are the problems cron should mail.  Data diagnostics (rejects:
 * path:line: reason: message) and normal output (stdout) do not go through
 * here.  Control characters in a message are printed escaped (\n, \xHH), so
 * a file name cannot forge a log line.
 *
 * Ownership: the module keeps only a copy of the program name and the run
 * id; nothing to free.  Not thread-safe (the programs are single-threaded).
 */
#ifndef ETL_LOG_H
#define ETL_LOG_H

#include <stdbool.h>

/* prog: the program's name; stamped: timestamps and run id (load). */
void log_init(const char *prog, bool quiet, bool stamped);
void log_set_run(long long run_id);
bool log_quiet(void);
/*
 * Before a line of our own: a hook that clears a progress bar drawn on the
 * terminal (NULL: none).
 */
void log_set_clear_hook(void (*hook)(void));

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
