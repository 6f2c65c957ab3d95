#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char log_prog[32] = "load";
static long long log_run = -1;
static bool log_quiet;

void runlog_init(const char *prog, bool quiet)
{
	snprintf(log_prog, sizeof(log_prog), "%s", prog);
	log_quiet = quiet;
}

void runlog_set_run(long long run_id)
{
	log_run = run_id;
}

bool runlog_quiet(void)
{
	return log_quiet;
}

/* One line: timestamp, program, run id, level (when not info), message. */
static void vlog(const char *level, const char *fmt, va_list ap)
{
	char stamp[40] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm)) {
		size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", &tm);

		/* ISO 8601 extended form: +08:00, not +0800 */
		if (n > 5 && n + 1 < sizeof(stamp)) {
			memmove(stamp + n - 1, stamp + n - 2, 3);
			stamp[n - 2] = ':';
		}
	}
	if (log_run >= 0)
		fprintf(stderr, "%s %s run %lld: %s", stamp, log_prog, log_run, level);
	else
		fprintf(stderr, "%s %s run -: %s", stamp, log_prog, level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void runlog_info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void runlog_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void runlog_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}
