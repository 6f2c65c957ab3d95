#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "textnorm.h"

static char log_prog[32] = "budget-etl";
static long long log_run = -1;
static bool log_quiet_flag, log_stamped;
static void (*log_clear)(void);

void log_init(const char *prog, bool quiet, bool stamped)
{
	snprintf(log_prog, sizeof(log_prog), "%s", prog);
	log_quiet_flag = quiet;
	log_stamped = stamped;
}

void log_set_run(long long run_id)
{
	log_run = run_id;
}

bool log_quiet(void)
{
	return log_quiet_flag;
}

void log_set_clear_hook(void (*hook)(void))
{
	log_clear = hook;
}

/* ISO 8601 extended local time (+08:00, not +0800) into stamp. */
static void timestamp(char *stamp, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	stamp[0] = '\0';
	if (localtime_r(&now, &tm)) {
		size_t n = strftime(stamp, size, "%Y-%m-%dT%H:%M:%S%z", &tm);

		if (n > 5 && n + 1 < size) {
			memmove(stamp + n - 1, stamp + n - 2, 3);
			stamp[n - 2] = ':';
		}
	}
}

/* One line: [timestamp] program [run id]: level message. */
static void vlog(const char *level, const char *fmt, va_list ap)
{
	char msg[8192], safe[8192 * 2];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	text_escape_controls(msg, safe, sizeof(safe));
	if (log_clear)
		log_clear();
	if (log_stamped) {
		char stamp[40];

		timestamp(stamp, sizeof(stamp));
		if (log_run >= 0)
			fprintf(stderr, "%s %s run %lld: %s%s\n", stamp, log_prog, log_run, level,
			        safe);
		else
			fprintf(stderr, "%s %s run -: %s%s\n", stamp, log_prog, level, safe);
	} else {
		fprintf(stderr, "%s: %s%s\n", log_prog, level, safe);
	}
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet_flag)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}
