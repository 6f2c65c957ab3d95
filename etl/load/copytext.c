/*
 * copytext: COPY text rows built in memory; the contract is copytext.h.
 */
#include "copytext.h"
#include "stream.h"
#include "textnorm.h"

#include <stdlib.h>
#include <string.h>

void pgw_put_field(FILE *out, bool first, const char *s)
{
	if (!first)
		putc('\t', out);
	if (s)
		stream_put_escaped(out, s); /* the stream is COPY text too */
	else
		fputs("\\N", out);
}

/* Make room for n more bytes (and a NUL); false when memory ran out. */
static bool buf_room(struct pgw_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void pgw_buf_put(struct pgw_buf *b, const char *s, size_t n)
{
	if (!buf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void pgw_buf_puts(struct pgw_buf *b, const char *s)
{
	pgw_buf_put(b, s, strlen(s));
}

void pgw_buf_putc(struct pgw_buf *b, char c)
{
	if (!buf_room(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* True when s holds a byte sequence that is not UTF-8 (n bytes). */
static bool invalid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return !text_valid_utf8(s + i, n - i);
	return false;
}

void pgw_buf_field(struct pgw_buf *b, bool first, const char *s)
{
	size_t n;
	char *w, *safe = NULL;

	if (!s) {
		pgw_buf_put(b, first ? "\\N" : "\t\\N", first ? 2 : 3);
		return;
	}
	n = strlen(s);
	/*
	 * The server refuses text that is not UTF-8 (and the whole COPY with
	 * it): such bytes are written as \xHH (a GBK file name, say).
	 */
	if (invalid_utf8(s, n) && (safe = malloc(4 * n + 1))) {
		s = text_escape_invalid(s, safe, 4 * n + 1);
		n = strlen(s);
	}
	/* worst case every byte escaped, plus the TAB */
	if (!buf_room(b, 2 * n + 1)) {
		free(safe);
		return;
	}
	w = b->p + b->len;
	if (!first)
		*w++ = '\t';
	for (; *s; s++) {
		char c = *s;

		switch (c) {
		case '\\':
			*w++ = '\\';
			*w++ = '\\';
			break;
		case '\t':
			*w++ = '\\';
			*w++ = 't';
			break;
		case '\n':
			*w++ = '\\';
			*w++ = 'n';
			break;
		case '\r':
			*w++ = '\\';
			*w++ = 'r';
			break;
		default: *w++ = c; break;
		}
	}
	b->len = (size_t)(w - b->p);
	b->p[b->len] = '\0';
	free(safe);
}

void pgw_buf_array_elem(struct pgw_buf *b, bool first, const char *s)
{
	if (!first)
		pgw_buf_putc(b, ',');
	pgw_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			pgw_buf_putc(b, '\\');
		pgw_buf_putc(b, *s);
	}
	pgw_buf_putc(b, '"');
}

void pgw_buf_reset(struct pgw_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void pgw_buf_free(struct pgw_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int pgw_rows_open(struct pgw_rows *r, struct etl_err *err)
{
	memset(r, 0, sizeof(*r));
	r->f = open_memstream(&r->buf, &r->len);
	if (!r->f)
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	return 0;
}

int pgw_rows_flush(struct pgw_rows *r, struct etl_err *err)
{
	if (!r->f || fflush(r->f) != 0 || ferror(r->f))
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory building COPY rows");
	return 0;
}

void pgw_rows_free(struct pgw_rows *r)
{
	if (r->f)
		fclose(r->f);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}
