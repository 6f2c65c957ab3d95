/*
 * normalize: the extract stream in, the same stream out with canonical
 * codes, row roles, parsed indicator targets and reconciliation checks.
 *
 *   extract PATH | normalize [--config-dir DIR] | load
 *
 * It holds one submission (the files of one <year>/<dept>/ folder) at a
 * time in memory, so memory is bounded by the largest submission, not by
 * the input: codes are validated and names resolved row by row (classify),
 * then duplicate table kinds are rejected, the submission's identities are
 * checked (checks), and the submission is written: its C records first,
 * then its files.
 *
 * Exit: 0; 64 bad usage; 65 malformed input stream; 78 bad configuration
 * (no classification list for a year met in the input).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amount.h"
#include "checks.h"
#include "classify.h"
#include "config.h"
#include "indicator.h"
#include "paths.h"
#include "refdata.h"
#include "stream.h"

#define EX_USAGE    64
#define EX_DATAERR  65
#define EX_SOFTWARE 70
#define EX_CONFIG   78

struct nfile {
	char *f[F_NFIELDS]; /* owned copies of the F fields */
	int kind, year;
	char *buf; /* R and J records, memory stream */
	size_t len;
	FILE *fp;
	long e[E_NFIELDS - 1];   /* records meta facts subtotals rejected */
	int ok;                  /* E status ok */
	struct submission rows;  /* this file's kept rows (one table) */
	struct check_list notes; /* classification checks of this file */
};

struct normalizer {
	const struct refdata *rd;
	int64_t tolerance;
	FILE *out;
	char key[96]; /* the submission being held */
	struct nfile *files;
	size_t n, cap;
	struct nfile *cur;
	struct classify_ctx cls;
	int classified;
	struct etl_err err;
};

static int is_classified(int kind)
{
	return kind == 2 || kind == 3 || kind == 5 || kind == 6 || kind == 8 || kind == 10;
}

static void die(int code, const char *fmt, const char *a)
{
	fflush(stdout);
	fprintf(stderr, "normalize: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(code);
}

static void add_note(struct check_list *l, int kind, const char *name, const char *subject,
                     const char *message)
{
	struct check *c;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct check *p = realloc(l->c, cap * sizeof(*p));

		if (!p)
			return;
		l->c = p;
		l->cap = cap;
	}
	c = &l->c[l->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->subject, sizeof(c->subject), "%s", subject);
	snprintf(c->message, sizeof(c->message), "%s", message);
	c->passed = false;
}

/* ---- writing ------------------------------------------------------------ */

static void write_check(FILE *out, const char *year, const char *dept, const struct check *c,
                        int with_amounts)
{
	char kind[8], exp[40], act[40];
	const char *f[C_NFIELDS];

	snprintf(kind, sizeof(kind), "%d", c->kind);
	f[C_YEAR] = year;
	f[C_DEPT] = dept;
	f[C_KIND] = kind;
	f[C_NAME] = c->name;
	f[C_SUBJECT] = c->subject;
	f[C_EXPECTED] = with_amounts ? amount_format(c->expected, exp, sizeof(exp)) : "";
	f[C_ACTUAL] = with_amounts ? amount_format(c->actual, act, sizeof(act)) : "";
	f[C_PASSED] = c->passed ? "t" : "f";
	f[C_MESSAGE] = c->message;
	stream_write(out, 'C', C_NFIELDS, f);
}

static void write_e(FILE *out, const long *e, int ok)
{
	char n[5][24];
	const char *f[E_NFIELDS];

	for (int i = 0; i < 5; i++) {
		snprintf(n[i], sizeof(n[i]), "%ld", e[i]);
		f[i] = n[i];
	}
	f[E_STATUS] = ok ? "ok" : "rejected";
	stream_write(out, 'E', E_NFIELDS, f);
}

/* A file rejected whole here (a duplicate kind): F, one J, E. */
static void write_rejected(FILE *out, struct nfile *nf, const char *reason, const char *msg)
{
	const char *j[J_NFIELDS] = {"0", "", reason, msg, ""};
	long e[5] = {nf->e[0], nf->e[1], 0, 0, nf->e[0] - nf->e[1]};

	stream_write(out, 'F', F_NFIELDS, (const char *const *)nf->f);
	stream_write(out, 'J', J_NFIELDS, j);
	write_e(out, e, 0);
}

/* ---- one submission ------------------------------------------------------ */

static void free_file(struct nfile *nf)
{
	for (int i = 0; i < F_NFIELDS; i++)
		free(nf->f[i]);
	free(nf->buf);
	submission_free(&nf->rows);
	check_list_free(&nf->notes);
}

/* Reject every file of a kind that occurs twice; returns how many. */
static void mark_duplicates(struct normalizer *z, int *dup)
{
	for (size_t i = 0; i < z->n; i++) {
		dup[i] = 0;
		for (size_t j = 0; j < z->n; j++)
			if (i != j && z->files[i].kind && z->files[i].kind == z->files[j].kind &&
			    z->files[i].ok && z->files[j].ok)
				dup[i] = (int)j + 1;
	}
}

static void flush_submission(struct normalizer *z)
{
	struct submission sub;
	struct check_list checks = {0};
	int *dup = calloc(z->n + 1, sizeof(int));
	const char *year = "", *dept = "";

	if (!z->n) {
		free(dup);
		return;
	}
	mark_duplicates(z, dup);
	for (size_t i = 0; i < z->n; i++)
		if (z->files[i].ok && !dup[i] && z->files[i].year) {
			year = z->files[i].f[F_YEAR];
			dept = z->files[i].f[F_DEPT];
			break;
		}
	submission_init(&sub, atoi(year), dept);
	for (size_t i = 0; i < z->n; i++) {
		struct nfile *nf = &z->files[i];

		if (!nf->ok || dup[i] || !nf->kind)
			continue;
		sub.tables[nf->kind] = nf->rows.tables[nf->kind];
		sub.present[nf->kind] = true; /* a table with no data rows is still a table */
		memset(&nf->rows.tables[nf->kind], 0, sizeof(nf->rows.tables[nf->kind]));
		for (size_t k = 0; k < nf->notes.n; k++)
			write_check(z->out, year, dept, &nf->notes.c[k], 0);
	}
	if (*year) {
		checks_run(&sub, z->tolerance, &checks);
		for (size_t k = 0; k < checks.n; k++)
			write_check(z->out, year, dept, &checks.c[k], 1);
	}
	for (size_t i = 0; i < z->n; i++) {
		struct nfile *nf = &z->files[i];

		if (dup[i]) {
			char msg[ETL_ERR_MSG];

			snprintf(msg, sizeof(msg),
			         "同一提交中有两个表%d文件：%s 与 %s，两个都不装载", nf->kind,
			         nf->f[F_PATH], z->files[dup[i] - 1].f[F_PATH]);
			write_rejected(z->out, nf, "duplicate_table", msg);
		} else {
			stream_write(z->out, 'F', F_NFIELDS, (const char *const *)nf->f);
			fwrite(nf->buf, 1, nf->len, z->out);
			write_e(z->out, nf->e, nf->ok);
		}
	}
	/* only now: a duplicate's message names the other file's path */
	for (size_t i = 0; i < z->n; i++)
		free_file(&z->files[i]);
	submission_free(&sub);
	check_list_free(&checks);
	free(dup);
	z->n = 0;
	z->cur = NULL;
}

/* ---- records ------------------------------------------------------------- */

static void on_f(struct normalizer *z, const struct stream_rec *rec)
{
	char key[96];
	struct nfile *nf;

	if (rec->nfields < F_NFIELDS)
		die(EX_DATAERR, "malformed F record%s", "");
	if (rec->field[F_FOLDER_YEAR][0])
		snprintf(key, sizeof(key), "%s/%s", rec->field[F_FOLDER_YEAR],
		         rec->field[F_FOLDER_DEPT]);
	else
		snprintf(key, sizeof(key), "%s/%s", rec->field[F_YEAR], rec->field[F_DEPT]);
	if (strcmp(key, z->key) != 0) {
		flush_submission(z);
		snprintf(z->key, sizeof(z->key), "%s", key);
	}
	if (z->n == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 16;
		z->files = realloc(z->files, z->cap * sizeof(*z->files));
		if (!z->files)
			die(EX_SOFTWARE, "out of memory%s", "");
	}
	nf = &z->files[z->n++];
	memset(nf, 0, sizeof(*nf));
	for (int i = 0; i < F_NFIELDS; i++)
		nf->f[i] = strdup(rec->field[i]);
	nf->kind = atoi(rec->field[F_KIND]);
	nf->year = atoi(rec->field[F_YEAR]);
	nf->fp = open_memstream(&nf->buf, &nf->len);
	submission_init(&nf->rows, nf->year, rec->field[F_DEPT]);
	z->cur = nf;
	z->classified = 0;
	if (nf->kind && nf->year && is_classified(nf->kind)) {
		etl_err_clear(&z->err);
		if (classify_begin(&z->cls, z->rd, nf->kind, nf->year, &z->err) < 0)
			die(EX_CONFIG, "%s", z->err.message);
		z->classified = 1;
	}
}

/* Write an R record with a new role and code, keeping its other fields. */
static void write_r(FILE *fp, const struct stream_rec *rec, const char *role, const char *code,
                    const struct target *t)
{
	putc('R', fp);
	stream_put_field(fp, rec->field[R_LINE]);
	stream_put_field(fp, role);
	stream_put_field(fp, code);
	stream_put_field(fp, rec->field[R_NAME]);
	for (int i = R_KV; i < rec->nfields; i++)
		if (strncmp(rec->field[i], "indent=", 7) != 0)
			stream_put_field(fp, rec->field[i]);
	if (t) {
		stream_put_kv(fp, "op", t->op);
		stream_put_kv(fp, "value", t->value);
		stream_put_kv(fp, "unit", t->unit);
	}
	putc('\n', fp);
}

/* Keep a row for the checks, with its amount measures. */
static void keep_row(struct nfile *nf, const struct stream_rec *rec, const char *role,
                     const char *code, int level)
{
	struct sub_row *r =
	    sub_add_row(&nf->rows, nf->kind, nf->f[F_PATH], atol(rec->field[R_LINE]), role, code,
	                rec->field[R_NAME], level);

	for (int i = R_KV; r && i < rec->nfields; i++) {
		const char *eq = strchr(rec->field[i], '=');
		char key[CHECK_MEASURE_KEY];
		struct etl_err e;
		int64_t fen;

		if (!eq || (size_t)(eq - rec->field[i]) >= sizeof(key))
			continue;
		memcpy(key, rec->field[i], (size_t)(eq - rec->field[i]));
		key[eq - rec->field[i]] = '\0';
		etl_err_clear(&e);
		if (strcmp(key, "indent") == 0 || amount_parse(eq + 1, UNIT_YUAN, &fen, &e) < 0)
			continue;
		sub_add_measure(r, key, fen);
	}
}

static void reject_row(struct normalizer *z, const struct stream_rec *rec)
{
	char raw[512];
	const char *j[J_NFIELDS];

	snprintf(raw, sizeof(raw), "%s%s%s", rec->field[R_CODE],
	         rec->field[R_CODE][0] && rec->field[R_NAME][0] ? " " : "", rec->field[R_NAME]);
	j[J_LINE] = rec->field[R_LINE];
	j[J_COLUMN] = "科目编码";
	j[J_REASON] = z->err.reason;
	j[J_MESSAGE] = z->err.message;
	j[J_RAW] = raw;
	stream_write(z->cur->fp, 'J', J_NFIELDS, j);
	z->cur->e[2]--;
	z->cur->e[4]++;
}

static void classified_row(struct normalizer *z, const struct stream_rec *rec)
{
	struct nfile *nf = z->cur;
	struct classify_out o;
	const char *role;

	etl_err_clear(&z->err);
	if (classify_row(&z->cls, rec->field[R_CODE], rec->field[R_NAME], &o, &z->err) < 0) {
		reject_row(z, rec);
		return;
	}
	role = o.level == z->cls.max_level ? "leaf" : "subtotal";
	if (o.missing)
		add_note(&nf->notes, nf->kind, "code_in_reference_list", o.code, o.note);
	if (o.name_differs)
		add_note(&nf->notes, nf->kind, "name_matches_reference", o.code, o.note);
	if (strcmp(role, "subtotal") == 0) {
		nf->e[2]--;
		nf->e[3]++;
	}
	write_r(nf->fp, rec, role, o.code, NULL);
	keep_row(nf, rec, role, o.code, o.level);
}

static void on_r(struct normalizer *z, const struct stream_rec *rec)
{
	struct nfile *nf = z->cur;
	const char *role;

	if (!nf || rec->nfields < R_KV)
		die(EX_DATAERR, "R record outside a file%s", "");
	role = rec->field[R_ROLE];
	if (strcmp(role, "row") == 0 && z->classified) {
		classified_row(z, rec);
	} else if (strcmp(role, "total") == 0) {
		nf->e[2]--;
		nf->e[3]++;
		write_r(nf->fp, rec, role, "", NULL);
		keep_row(nf, rec, role, "", 0);
	} else if (strcmp(role, "expense") == 0 && !rec->field[R_CODE][0]) {
		const char *code = classify_class_by_name(z->rd, nf->year, rec->field[R_NAME]);

		write_r(nf->fp, rec, role, code ? code : "", NULL);
		keep_row(nf, rec, role, code ? code : "", code ? 1 : 0);
	} else if (strcmp(role, "indicator") == 0) {
		struct target t;
		const char *text = stream_kv(rec, "target");

		memset(&t, 0, sizeof(t));
		target_parse(text ? text : "", &t);
		write_r(nf->fp, rec, role, rec->field[R_CODE], &t);
	} else {
		write_r(nf->fp, rec, role, rec->field[R_CODE], NULL);
		keep_row(nf, rec, role, rec->field[R_CODE], 0);
	}
}

static void on_e(struct normalizer *z, const struct stream_rec *rec)
{
	struct nfile *nf = z->cur;

	if (!nf || rec->nfields < E_NFIELDS)
		die(EX_DATAERR, "malformed E record%s", "");
	for (int i = 0; i < 5; i++)
		nf->e[i] += atol(rec->field[i]);
	nf->ok = strcmp(rec->field[E_STATUS], "ok") == 0;
	fclose(nf->fp);
	nf->fp = NULL;
	z->cur = NULL;
}

static int run(struct normalizer *z, FILE *in)
{
	struct stream_reader r;
	struct stream_rec rec;
	struct etl_err err;
	int rc;

	stream_reader_init(&r, in);
	etl_err_clear(&err);
	while ((rc = stream_read(&r, &rec, &err)) > 0) {
		switch (rec.tag) {
		case 'S': stream_write_header(z->out); break;
		case 'F': on_f(z, &rec); break;
		case 'R': on_r(z, &rec); break;
		case 'J':
			if (!z->cur)
				die(EX_DATAERR, "J record outside a file%s", "");
			stream_write(z->cur->fp, 'J', rec.nfields, (const char *const *)rec.field);
			break;
		case 'E': on_e(z, &rec); break;
		case 'C':
			stream_write(z->out, 'C', rec.nfields, (const char *const *)rec.field);
			break;
		}
	}
	stream_reader_free(&r);
	if (rc < 0)
		die(EX_DATAERR, "%s", err.message);
	if (z->cur)
		die(EX_DATAERR, "input ends inside a file (no E record)%s", "");
	flush_submission(z);
	free(z->files);
	z->files = NULL;
	return fflush(z->out) == 0 ? 0 : EX_SOFTWARE;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct normalizer z;
	struct refdata rd;
	struct etl_config cfg;
	struct etl_err err;
	bool found;
	int rc;

	paths_config_dir(dir, sizeof(dir));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config-dir") == 0 && i + 1 < argc)
			snprintf(dir, sizeof(dir), "%s", argv[++i]);
		else if (strcmp(argv[i], "--strict-checks") == 0)
			; /* enforced by load, which sees every C record first */
		else {
			fprintf(stderr, "usage: normalize [--config-dir DIR] < extract-stream\n");
			return EX_USAGE;
		}
	}
	etl_err_clear(&err);
	config_defaults(&cfg);
	snprintf(path, sizeof(path), "%s/etl.conf", dir);
	if (config_load(&cfg, path, &found, &err) < 0)
		die(EX_CONFIG, "%s", err.message);
	snprintf(path, sizeof(path), "%s/classifications", dir);
	if (refdata_load(&rd, path, &err) < 0)
		die(EX_CONFIG, "%s", err.message);
	memset(&z, 0, sizeof(z));
	z.rd = &rd;
	z.tolerance = cfg.tolerance_fen;
	z.out = stdout;
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	rc = run(&z, stdin);
	refdata_free(&rd);
	return rc;
}
