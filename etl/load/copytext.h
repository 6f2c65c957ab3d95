/*
 * copytext: COPY text rows built in memory, the format the loader sends
 * with COPY ... FROM STDIN (PostgreSQL's text format: fields separated by
 * TAB, backslash, TAB, LF and CR escaped, \N for NULL; text that is not
 * UTF-8 kept with its bytes as \xHH so that the server accepts it).
 *
 * Two builders: struct pgw_rows, a memory stream for rows written with
 * stdio, and struct pgw_buf, a growable buffer, cheaper for many small
 * appends.  pgwriter sends what they hold (pgw_copy_put, pgw_copy_lines).
 *
 * Errors: pgw_rows_* return -1 with err "out_of_memory"; a pgw_buf whose
 * allocation failed sets oom and drops further appends (the caller checks
 * oom before sending).
 *
 * Ownership: both are owned by the caller, freed with pgw_rows_free() and
 * pgw_buf_free().
 */
#ifndef ETL_COPYTEXT_H
#define ETL_COPYTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

/*
 * Write one COPY text field to out: a TAB first unless first, then s with
 * backslash, TAB, LF and CR escaped, or \N when s is NULL.  Rows are built
 * in memory (open_memstream) and handed to pgw_copy_put / pgw_copy_lines.
 */
void pgw_put_field(FILE *out, bool first, const char *s);

/*
 * COPY rows built in memory: rows.f is an open_memstream; after
 * pgw_rows_flush() rows.buf / rows.len hold the text (owned, freed by
 * pgw_rows_free).
 */
struct pgw_rows {
	FILE *f;
	char *buf;
	size_t len;
	long count; /* rows written, kept by the caller */
};

int pgw_rows_open(struct pgw_rows *r, struct etl_err *err);
/* Make buf/len current (fflush); returns -1 when memory ran out. */
int pgw_rows_flush(struct pgw_rows *r, struct etl_err *err);
void pgw_rows_free(struct pgw_rows *r);

/*
 * A growable text buffer for COPY rows and array literals, cheaper than a
 * memory stream for many small appends.  A failed allocation sets oom and
 * drops further appends (the caller checks oom before sending).  Owned by
 * the caller: pgw_buf_free().
 */
struct pgw_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void pgw_buf_put(struct pgw_buf *b, const char *s, size_t n);
void pgw_buf_puts(struct pgw_buf *b, const char *s);
void pgw_buf_putc(struct pgw_buf *b, char c);
/* As pgw_put_field: a TAB first unless first, s escaped, \N for NULL. */
void pgw_buf_field(struct pgw_buf *b, bool first, const char *s);
/*
 * One element of a text array literal ("{...}"): the caller writes '{' and
 * '}'; this adds a comma unless first, then s double-quoted and escaped.
 */
void pgw_buf_array_elem(struct pgw_buf *b, bool first, const char *s);
/* Forget the contents (the memory is kept for reuse). */
void pgw_buf_reset(struct pgw_buf *b);
void pgw_buf_free(struct pgw_buf *b);

#endif
