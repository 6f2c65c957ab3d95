#include "stream.h"

#include <stdlib.h>
#include <string.h>

void stream_write_header(FILE *out)
{
	fputs("S\t" STREAM_MAGIC "\t" STREAM_VERSION "\n", out);
}

/* COPY text escaping: the four characters that would break a line or field. */
void stream_put_escaped(FILE *out, const char *s)
{
	const char *run = s;
	size_t plain = strcspn(s, "\\\t\n\r");

	if (!s[plain]) { /* nothing to escape: the usual case */
		fwrite_unlocked(s, 1, plain, out);
		return;
	}
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '\\': rep = "\\\\"; break;
		case '\t': rep = "\\t"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		default: continue;
		}
		fwrite(run, 1, (size_t)(s - run), out);
		fputs(rep, out);
		run = s + 1;
	}
	fwrite(run, 1, (size_t)(s - run), out);
}

void stream_put_field(FILE *out, const char *s)
{
	putc('\t', out);
	if (s)
		stream_put_escaped(out, s);
}

void stream_put_kv(FILE *out, const char *key, const char *value)
{
	putc('\t', out);
	stream_put_escaped(out, key);
	putc('=', out);
	if (value)
		stream_put_escaped(out, value);
}

void stream_write(FILE *out, char tag, int n, const char *const *fields)
{
	putc(tag, out);
	for (int i = 0; i < n; i++)
		stream_put_field(out, fields[i]);
	putc('\n', out);
}

void stream_reader_init(struct stream_reader *r, FILE *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
}

void stream_reader_free(struct stream_reader *r)
{
	free(r->line);
	free(r->field);
	memset(r, 0, sizeof(*r));
}

/* Unescape one field in place; returns its end. */
static char *unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*w++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		default: *w++ = *s; break;
		}
	}
	*w = '\0';
	return w;
}

int stream_read(struct stream_reader *r, struct stream_rec *rec, struct etl_err *err)
{
	ssize_t len;
	int n = 0;
	char *p;

	len = getline(&r->line, &r->cap, r->in);
	if (len < 0)
		return 0;
	r->lineno++;
	if (len > 0 && r->line[len - 1] == '\n')
		r->line[--len] = '\0';
	if (len < 1 || !strchr("SFRJCE", r->line[0]) || (len > 1 && r->line[1] != '\t'))
		return etl_fail(err, "bad_stream", r->lineno, NULL,
		                "stream line %ld is not a budget-etl record", r->lineno);
	if (!r->field)
		r->field = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	if (!r->field)
		return etl_fail(err, "out_of_memory", r->lineno, NULL, "out of memory");
	p = len > 1 ? r->line + 2 : NULL;
	while (p) {
		char *tab = strchr(p, '\t');

		if (n == STREAM_MAX_FIELDS)
			return etl_fail(err, "bad_stream", r->lineno, NULL,
			                "stream line %ld has more than %d fields", r->lineno,
			                STREAM_MAX_FIELDS);
		if (tab)
			*tab = '\0';
		r->field[n++] = p;
		unescape(p);
		p = tab ? tab + 1 : NULL;
	}
	rec->tag = r->line[0];
	rec->nfields = n;
	rec->field = r->field;
	return 1;
}

const char *stream_kv(const struct stream_rec *rec, const char *key)
{
	size_t klen = strlen(key);

	for (int i = R_KV; i < rec->nfields; i++) {
		const char *f = rec->field[i];

		if (strncmp(f, key, klen) == 0 && f[klen] == '=')
			return f + klen + 1;
	}
	return NULL;
}
