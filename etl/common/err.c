#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "textnorm.h"

void etl_err_clear(struct etl_err *e)
{
	memset(e, 0, sizeof(*e));
	e->offset = -1;
}

int etl_fail(struct etl_err *e, const char *reason, long line, const char *column, const char *fmt,
             ...)
{
	va_list ap;

	/* e is only written here: callers may pass a struct not yet cleared. */
	// cppcheck-suppress ctuuninitvar
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	/* a message cut short must stay valid UTF-8 (COPY refuses anything else) */
	text_utf8_cut(e->message);
	text_utf8_cut(e->column);
	return -1;
}
