#include "csvread.h"

#include <stdlib.h>
#include <string.h>

/* libcsv's parser state for "no record in progress" (csv.c: ROW_NOT_BEGUN). */
#define LIBCSV_ROW_NOT_BEGUN 0

/* No trimming: a record is reported exactly as written. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	while (n < need)
		n *= 2;
	if (n == *cap)
		return 0;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* libcsv field callback: append the field to the record being built. */
static void on_field(void *s, size_t len, void *data)
{
	struct csvread *r = data;
	size_t fcap;

	/* A field ended: a quote still open after this piece opened on its line. */
	r->quote_line = 0;
	if (r->stop || r->failed)
		return;
	/*
	 * A field over the cap that did end: handed on empty, the record
	 * marked, so that only its row is rejected (README "Limits").
	 */
	if (len > CSVREAD_MAX_FIELD) {
		if (!r->oversize_field) {
			r->oversize_field = r->nfields + 1;
			r->oversize_len = len;
		}
		len = 0;
	}
	if (r->nfields >= CSVREAD_MAX_COLUMNS) {
		r->failed = 1;
		etl_fail(r->err, "too_large", r->rec_line, NULL,
		         "record starting at line %ld has more than %d columns", r->rec_line,
		         CSVREAD_MAX_COLUMNS);
		return;
	}
	if (r->len + len + 1 > CSVREAD_MAX_RECORD) {
		r->failed = 1;
		etl_fail(r->err, "too_large", r->rec_line, NULL,
		         "record starting at line %ld is larger than %d bytes", r->rec_line,
		         CSVREAD_MAX_RECORD);
		return;
	}
	fcap = (size_t)r->fcap;
	if (grow((void **)&r->buf, &r->cap, r->len + len + 1, 1) < 0 ||
	    grow((void **)&r->starts, &fcap, (size_t)r->nfields + 1, sizeof(size_t)) < 0) {
		r->failed = 1;
		etl_fail(r->err, "out_of_memory", r->rec_line, NULL, "out of memory");
		return;
	}
	r->fcap = (int)fcap;
	r->starts[r->nfields++] = r->len;
	if (len)
		memcpy(r->buf + r->len, s, len);
	r->len += len;
	r->buf[r->len++] = '\0';
}

/* libcsv record callback: hand the finished record to the caller. */
static void on_record(int c, void *data)
{
	struct csvread *r = data;
	struct csv_record rec;
	(void)c;
	if (r->stop || r->failed)
		goto reset;
	r->records++;
	if (grow((void **)&r->ptrs, &r->pcap, (size_t)r->nfields + 1, sizeof(char *)) < 0) {
		r->failed = 1;
		etl_fail(r->err, "out_of_memory", r->rec_line, NULL, "out of memory");
		goto reset;
	}
	for (int i = 0; i < r->nfields; i++)
		r->ptrs[i] = r->buf + r->starts[i];
	rec.nfields = r->nfields;
	rec.field = r->ptrs;
	rec.line = r->rec_line;
	rec.end_line = r->line;
	rec.offset = r->rec_offset;
	rec.index = r->records;
	rec.bytes = r->len;
	rec.oversize_field = r->oversize_field;
	rec.oversize_len = r->oversize_len;
	if (r->fn(r->ctx, &rec))
		r->stop = 1;
	/* The next record starts on this line, even after a bare CR mid-line. */
	r->rec_line = r->line;
	r->rec_offset = r->line_offset;
reset:
	r->nfields = 0;
	r->len = 0;
	r->oversize_field = 0;
	r->oversize_len = 0;
}

int csvread_init(struct csvread *r, char delim, csv_record_fn fn, void *ctx, struct etl_err *err)
{
	memset(r, 0, sizeof(*r));
	r->fn = fn;
	r->ctx = ctx;
	r->err = err;
	r->at_line_start = 1;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return etl_fail(err, "out_of_memory", 0, NULL, "cannot initialise libcsv");
	csv_set_delim(&r->p, (unsigned char)delim);
	csv_set_space_func(&r->p, no_space);
	/*
	 * libcsv grows its field buffer by blk_size bytes at a time (128 by
	 * default); a field may grow to CSVREAD_MAX_OPEN_FIELD before it is
	 * refused, so the steps are large enough to keep that to a few
	 * reallocations.
	 */
	csv_set_blk_size(&r->p, 1024 * 1024);
	return 0;
}

/* Report a libcsv parse error at the current line. */
static int parse_error(struct csvread *r)
{
	if (r->p.quoted) {
		long ql = r->quote_line ? r->quote_line : r->line; /* 0: opened in this piece */

		return etl_fail(
		    r->err, "bad_csv", ql, NULL,
		    "malformed CSV: quoted field opened at line %ld is not closed properly "
		    "(error at line %ld)",
		    ql, r->line);
	}
	return etl_fail(r->err, "bad_csv", r->line, NULL, "malformed CSV at line %ld: %s", r->line,
	                csv_strerror(csv_error(&r->p)));
}

/* Feed one piece of at most one physical line (ending with '\n' or not). */
static int feed_piece(struct csvread *r, const char *s, size_t n)
{
	if (r->at_line_start) {
		r->line++;
		r->line_offset = r->offset;
		if (r->p.pstate == LIBCSV_ROW_NOT_BEGUN) {
			r->rec_line = r->line;
			r->rec_offset = r->offset;
		}
	}
	/*
	 * quote_line: the line of the quote still open after this piece.  Kept
	 * from an earlier piece unless a field ended in this one (on_field
	 * clears it): then the quote opened here.  Any state of a quoted
	 * field counts: a piece may end just after a quote.
	 */
	if (csv_parse(&r->p, s, n, on_field, on_record, r) != n && !r->failed)
		return parse_error(r);
	if (r->failed)
		return -1;
	if (!r->p.quoted)
		r->quote_line = 0; /* closed: a later error must not name this line */
	else if (!r->quote_line)
		r->quote_line = r->line;
	/* a field still open this long stops the parse: its memory is libcsv's */
	if (r->p.entry_pos > CSVREAD_MAX_OPEN_FIELD)
		return etl_fail(r->err, "too_large", r->p.quoted ? r->quote_line : r->line, NULL,
		                "field longer than %d bytes%s (line %ld)", CSVREAD_MAX_OPEN_FIELD,
		                r->p.quoted ? ": a quote opened here is never closed" : "",
		                r->p.quoted ? r->quote_line : r->line);
	r->offset += (int64_t)n;
	r->at_line_start = n > 0 && s[n - 1] == '\n';
	return 0;
}

int csvread_feed(struct csvread *r, const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;

		if (feed_piece(r, text + pos, n) < 0)
			return -1;
		if (r->stop)
			return 1;
		pos += n;
	}
	return 0;
}

int csvread_finish(struct csvread *r)
{
	if (r->stop)
		return 1;
	if (csv_fini(&r->p, on_field, on_record, r) != 0 && !r->failed) {
		if (r->p.quoted)
			return etl_fail(r->err, "bad_csv", r->quote_line, NULL,
			                "file ends inside a quoted field opened at line %ld",
			                r->quote_line);
		return parse_error(r);
	}
	if (r->failed)
		return -1;
	return r->stop ? 1 : 0;
}

void csvread_free(struct csvread *r)
{
	csv_free(&r->p);
	free(r->buf);
	free(r->starts);
	free(r->ptrs);
	memset(r, 0, sizeof(*r));
}
