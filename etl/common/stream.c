#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"

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

int stream_buffer(FILE *f)
{
	/* static: a FILE uses its buffer up to the last flush at exit, after any
	 * atexit handler could free it; a process buffers at most a few streams */
	enum { SIZE = 1 << 20, MAX = 4 };
	static char pool[MAX][SIZE];
	static int used;

	if (used == MAX || setvbuf(f, pool[used], _IOFBF, SIZE) != 0)
		return -1;
	used++;
	return 0;
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

int stream_parse_line(char *line, size_t len, long lineno, char **fields, struct stream_rec *rec,
                      struct etl_err *err)
{
	int n = 0;
	char *p;

	if (len < 1 || !strchr("SFRJCEW", line[0]) || (len > 1 && line[1] != '\t'))
		return etl_fail(err, "bad_stream", lineno, NULL,
		                "stream line %ld is not a budget-etl record", lineno);
	p = len > 1 ? line + 2 : NULL;
	while (p) {
		char *tab = strchr(p, '\t');

		if (n == STREAM_MAX_FIELDS)
			return etl_fail(err, "bad_stream", lineno, NULL,
			                "stream line %ld has more than %d fields", lineno,
			                STREAM_MAX_FIELDS);
		if (tab)
			*tab = '\0';
		fields[n++] = p;
		unescape(p);
		p = tab ? tab + 1 : NULL;
	}
	rec->tag = line[0];
	rec->nfields = n;
	rec->field = fields;
	return 0;
}

int stream_read(struct stream_reader *r, struct stream_rec *rec, struct etl_err *err)
{
	ssize_t len;

	len = getline(&r->line, &r->cap, r->in);
	if (len < 0)
		return 0;
	r->lineno++;
	if (len > 0 && r->line[len - 1] == '\n')
		r->line[--len] = '\0';
	if (!r->field)
		r->field = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	if (!r->field)
		return etl_fail(err, "out_of_memory", r->lineno, NULL, "out of memory");
	if (memchr(r->line, '\0', (size_t)len))
		return etl_fail(err, "bad_stream", r->lineno, NULL,
		                "stream line %ld holds a NUL byte", r->lineno);
	return stream_parse_line(r->line, (size_t)len, r->lineno, r->field, rec, err) < 0 ? -1 : 1;
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

long stream_count(const char *s)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end ? -1 : v;
}

int stream_amount(const char *s, int64_t *fen)
{
	return amount_parse_exact(s, fen);
}

/* The closed vocabularies of F and C ("" allowed: not known). */
static const char *const stages[] = {"", "budget", "adjusted", "final", NULL};
static const char *const scopes[] = {"", "department", "unit", NULL};

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

int stream_file_decode(const struct stream_rec *rec, struct stream_file *f, struct etl_err *err)
{
	long v;

	if (rec->nfields < F_NFIELDS)
		return etl_fail(err, "bad_stream", 0, NULL, "stream: F record with %d of %d fields",
		                rec->nfields, F_NFIELDS);
	f->field = rec->field;
	v = *rec->field[F_YEAR] ? stream_count(rec->field[F_YEAR]) : 0;
	if (v < 0 || v > 9999)
		return etl_fail(err, "bad_stream", 0, NULL, "stream: F year \"%s\" is not a year",
		                rec->field[F_YEAR]);
	f->year = (int)v;
	v = stream_count(rec->field[F_KIND]);
	if (v < 0 || v > 10)
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: F table kind \"%s\" is not 0..10", rec->field[F_KIND]);
	f->kind = (int)v;
	v = *rec->field[F_FOLDER_YEAR] ? stream_count(rec->field[F_FOLDER_YEAR]) : 0;
	if (v < 0 || v > 9999)
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: F folder year \"%s\" is not a year",
		                rec->field[F_FOLDER_YEAR]);
	f->folder_year = (int)v;
	f->bytes = *rec->field[F_BYTES] ? stream_count(rec->field[F_BYTES]) : 0;
	if (f->bytes < 0)
		return etl_fail(err, "bad_stream", 0, NULL, "stream: F bytes \"%s\" is not a count",
		                rec->field[F_BYTES]);
	if (!one_of(rec->field[F_STAGE], stages))
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: F stage \"%s\" is not budget, adjusted or final",
		                rec->field[F_STAGE]);
	if (!one_of(rec->field[F_SCOPE], scopes))
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: F scope \"%s\" is not department or unit",
		                rec->field[F_SCOPE]);
	return 0;
}

int stream_end_decode(const struct stream_rec *rec, struct stream_end *e, struct etl_err *err)
{
	if (rec->nfields < E_NFIELDS)
		return etl_fail(err, "bad_stream", 0, NULL, "stream: E record with %d of %d fields",
		                rec->nfields, E_NFIELDS);
	for (int i = 0; i < E_STATUS; i++)
		if ((e->n[i] = stream_count(rec->field[i])) < 0)
			return etl_fail(err, "bad_stream", 0, NULL,
			                "stream: E count \"%s\" is not a number", rec->field[i]);
	e->ok = e->skipped = false;
	if (strcmp(rec->field[E_STATUS], "ok") == 0)
		e->ok = true;
	else if (strcmp(rec->field[E_STATUS], "skipped") == 0)
		e->skipped = true;
	else if (strcmp(rec->field[E_STATUS], "rejected") != 0)
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: E status \"%s\" is not ok, rejected or skipped",
		                rec->field[E_STATUS]);
	if ((e->half_unit = stream_count(rec->field[E_HALF_UNIT])) < 0)
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: E half unit \"%s\" is not a number",
		                rec->field[E_HALF_UNIT]);
	if (e->n[E_META] + e->n[E_FACTS] + e->n[E_SUBTOTALS] + e->n[E_REJECTED] != e->n[E_RECORDS])
		return etl_fail(err, "bad_accounting", 0, NULL,
		                "row accounting does not add up: %ld records but %ld meta + %ld "
		                "facts + %ld subtotals + %ld rejected = %ld",
		                e->n[E_RECORDS], e->n[E_META], e->n[E_FACTS], e->n[E_SUBTOTALS],
		                e->n[E_REJECTED],
		                e->n[E_META] + e->n[E_FACTS] + e->n[E_SUBTOTALS] +
		                    e->n[E_REJECTED]);
	return 0;
}

void stream_end_write(FILE *out, const struct stream_end *e)
{
	char n[E_STATUS][24], h[24];
	const char *f[E_NFIELDS];

	for (int i = 0; i < E_STATUS; i++) {
		snprintf(n[i], sizeof(n[i]), "%ld", e->n[i]);
		f[i] = n[i];
	}
	f[E_STATUS] = e->ok ? "ok" : e->skipped ? "skipped" : "rejected";
	snprintf(h, sizeof(h), "%ld", e->half_unit);
	f[E_HALF_UNIT] = h;
	stream_write(out, 'E', E_NFIELDS, f);
}

int stream_check_decode(const struct stream_rec *rec, struct stream_check *c, struct etl_err *err)
{
	const char *p;
	long y;

	if (rec->nfields < C_NFIELDS)
		return etl_fail(err, "bad_stream", 0, NULL, "stream: C record with %d of %d fields",
		                rec->nfields, C_NFIELDS);
	c->field = rec->field;
	p = rec->field[C_PASSED];
	if (strcmp(p, "t") == 0 || strcmp(p, "true") == 0 || strcmp(p, "1") == 0)
		c->passed = true;
	else if (strcmp(p, "f") == 0 || strcmp(p, "false") == 0 || strcmp(p, "0") == 0)
		c->passed = false;
	else
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: C record passed=\"%s\" is not a boolean", p);
	y = *rec->field[C_YEAR] ? stream_count(rec->field[C_YEAR]) : 0;
	if (y < 0 || y > 9999)
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: C record year \"%s\" is not a year", rec->field[C_YEAR]);
	c->year = (int)y;
	if (!one_of(rec->field[C_STAGE], stages))
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: C record stage \"%s\" is not budget, adjusted or final",
		                rec->field[C_STAGE]);
	if ((c->rows = stream_count(rec->field[C_ROWS])) < 1)
		return etl_fail(err, "bad_stream", 0, NULL,
		                "stream: C record rows \"%s\" is not a count", rec->field[C_ROWS]);
	for (int i = C_EXPECTED; i < C_NFIELDS; i++) {
		int64_t fen;

		if (i != C_EXPECTED && i != C_ACTUAL && i != C_MAX_DIFF && i != C_ALLOWANCE)
			continue;
		if (*rec->field[i] && stream_amount(rec->field[i], &fen) < 0)
			return etl_fail(err, "bad_stream", 0, NULL,
			                "stream: C record amount \"%s\" is not a decimal",
			                rec->field[i]);
	}
	return 0;
}
