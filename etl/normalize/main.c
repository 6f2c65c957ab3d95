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
 * Exit: 0; 64 bad usage; 70 a broken input stream (the same code in every
 * stage) or no memory; 78 bad configuration (an unreadable etl.conf or
 * classification list, no classification list for a year met in the input).
 *
 * Conventions (shared by the three programs): getopt_long, <sysexits.h>,
 * log.h; the record handlers return -1 with z->err (and z->code) set, and
 * only main() exits.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "amount.h"
#include "checks.h"
#include "classify.h"
#include "config.h"
#include "indicator.h"
#include "log.h"
#include "measure.h"
#include "paths.h"
#include "refdata.h"
#include "stream.h"
#include "textnorm.h"

/* What a CSV record of a classified table counts as (E accounting). */
enum linecat { LC_FACT, LC_SUBTOTAL, LC_REJECTED };

struct nfile {
	char *f[F_NFIELDS]; /* owned copies of the F fields */
	int kind, year;
	bool final;   /* stage final */
	bool no_list; /* its year has no classification list: rejected at E */
	char no_list_msg[ETL_ERR_MSG];
	/* the record whose R records are being read: one CSV line may carry
	 * two (决算 table 6's blocks), it counts once */
	long cur_line;
	enum linecat cur_cat;
	bool cur_leaf;
	char *buf; /* R records and normalize's own J records, memory stream */
	size_t len;
	FILE *fp;
	char *xj; /* extract's J records: all that is written of a file rejected whole */
	size_t xjlen;
	FILE *xjfp;
	struct stream_end e;     /* the counts: extract's, moved by normalize */
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
	/* one per block of a line (决算 table 6 prints two side by side): each
	 * block has its own 类 and 款 above its rows */
	struct classify_ctx cls[2];
	int classified;
	bool seen_header;
	struct etl_err err; /* why a handler failed */
	int code;           /* and the exit code it calls for */
};

static int is_classified(int kind)
{
	return kind == 2 || kind == 3 || kind == 5 || kind == 6 || kind == 8 || kind == 10;
}

/* A handler's failure: the exit code it calls for, the reason in z->err. */
static int fail(struct normalizer *z, int code, const char *fmt, const char *a)
{
	char msg[ETL_ERR_MSG];

	snprintf(msg, sizeof(msg), fmt, a);
	z->code = code;
	return etl_fail(&z->err, code == EX_SOFTWARE ? "bad_stream" : "bad_config", 0, NULL, "%s",
	                msg);
}

static void add_note(struct check_list *l, int kind, const char *name, const char *subject,
                     const char *message, bool passed)
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
	text_utf8_cut(c->subject);
	text_utf8_cut(c->message);
	c->passed = passed;
}

/* ---- writing ------------------------------------------------------------ */

static bool in_range(int64_t fen)
{
	return fen <= AMOUNT_MAX_FEN && fen >= -AMOUNT_MAX_FEN;
}

/*
 * One C record.  A check whose figures left the range of an amount (a sum
 * of hostile cells) is failed, with its figures empty and the reason in
 * its message: the stream and the database hold only amounts in range.
 */
static void write_check(FILE *out, const char *year, const char *dept, const char *stage,
                        const struct check *c, int with_amounts)
{
	char kind[8], exp[40], act[40], rows[24], maxd[40], allow[40],
	    msg[sizeof(c->message) + 128];
	const char *f[C_NFIELDS];
	bool fits = !with_amounts || (in_range(c->expected) && in_range(c->actual) &&
	                              in_range(c->max_diff) && in_range(c->allowance));

	snprintf(kind, sizeof(kind), "%d", c->kind);
	f[C_YEAR] = year;
	f[C_DEPT] = dept;
	f[C_KIND] = kind;
	f[C_NAME] = c->name;
	f[C_SUBJECT] = c->subject;
	if (c->aggregate)
		with_amounts = 0; /* a count of equal rows: no figures of its own */
	f[C_EXPECTED] = with_amounts && fits ? amount_format(c->expected, exp, sizeof(exp)) : "";
	f[C_ACTUAL] = with_amounts && fits ? amount_format(c->actual, act, sizeof(act)) : "";
	f[C_PASSED] = c->passed && fits ? "t" : "f";
	if (!fits) {
		snprintf(msg, sizeof(msg), "%s（合计超出可装载的范围，绝对值须小于 10¹⁶ 元）",
		         c->message);
		text_utf8_cut(msg);
	}
	f[C_MESSAGE] = fits ? c->message : msg;
	f[C_STAGE] = stage;
	snprintf(rows, sizeof(rows), "%ld", c->rows > 0 ? c->rows : 1);
	f[C_ROWS] = rows;
	f[C_MAX_DIFF] = (with_amounts && fits) || c->aggregate
	                    ? amount_format(c->max_diff, maxd, sizeof(maxd))
	                    : "";
	f[C_ALLOWANCE] = with_amounts && fits && c->allowance
	                     ? amount_format(c->allowance, allow, sizeof(allow))
	                     : "";
	stream_write(out, 'C', C_NFIELDS, f);
}

/* A file rejected whole here (a duplicate kind): F, one J, E. */
static void write_rejected(FILE *out, struct nfile *nf, const char *reason, const char *msg)
{
	const char *j[J_NFIELDS] = {"0", "", reason, msg, ""};
	struct stream_end e = {
	    {nf->e.n[E_RECORDS], nf->e.n[E_META], 0, 0, nf->e.n[E_RECORDS] - nf->e.n[E_META]},
	    false,
	    false,
	    nf->e.half_unit};

	stream_write(out, 'F', F_NFIELDS, (const char *const *)nf->f);
	stream_write(out, 'J', J_NFIELDS, j);
	stream_end_write(out, &e);
}

/* ---- one submission ------------------------------------------------------ */

static void free_file(struct nfile *nf)
{
	for (int i = 0; i < F_NFIELDS; i++)
		free(nf->f[i]);
	free(nf->buf);
	free(nf->xj);
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
			    strcmp(z->files[i].f[F_STAGE], z->files[j].f[F_STAGE]) == 0 &&
			    z->files[i].e.ok && z->files[j].e.ok)
				dup[i] = (int)j + 1;
	}
}

/*
 * The checks of one stage of the held submission (a 预算 and a 决算 may sit in
 * one folder: each is checked on its own): its classification notes, then
 * every identity of its tables, as C records.
 */
static int check_stage(struct normalizer *z, const char *stage, const int *dup)
{
	struct submission sub;
	struct check_list checks = {0};
	const char *year = "", *dept = "";
	int rc = 0;

	for (size_t i = 0; i < z->n; i++)
		if (z->files[i].e.ok && !dup[i] && z->files[i].year &&
		    strcmp(z->files[i].f[F_STAGE], stage) == 0) {
			year = z->files[i].f[F_YEAR];
			dept = z->files[i].f[F_DEPT];
			break;
		}
	submission_init(&sub, atoi(year), dept);
	sub.final = strcmp(stage, "final") == 0;
	for (size_t i = 0; i < z->n; i++) {
		struct nfile *nf = &z->files[i];

		if (!nf->e.ok || dup[i] || !nf->kind || strcmp(nf->f[F_STAGE], stage) != 0)
			continue;
		sub.tables[nf->kind] = nf->rows.tables[nf->kind];
		sub.present[nf->kind] = true; /* a table with no data rows is still a table */
		memset(&nf->rows.tables[nf->kind], 0, sizeof(nf->rows.tables[nf->kind]));
		for (size_t k = 0; k < nf->notes.n; k++)
			write_check(z->out, year, dept, stage, &nf->notes.c[k], 0);
	}
	if (*year) {
		if (checks_run(&sub, z->tolerance, &checks) < 0)
			rc = fail(z, EX_OSERR, "out of memory%s", "");
		for (size_t k = 0; k < checks.n; k++)
			write_check(z->out, year, dept, stage, &checks.c[k], 1);
	}
	submission_free(&sub);
	check_list_free(&checks);
	return rc;
}

static int flush_submission(struct normalizer *z)
{
	static const char *const stages[] = {"budget", "adjusted", "final"};
	int *dup;

	if (!z->n)
		return 0;
	if (!(dup = calloc(z->n + 1, sizeof(int))))
		return fail(z, EX_OSERR, "out of memory%s", "");
	mark_duplicates(z, dup);
	for (size_t k = 0; k < sizeof(stages) / sizeof(stages[0]); k++)
		if (check_stage(z, stages[k], dup) < 0) {
			free(dup);
			return -1;
		}
	for (size_t i = 0; i < z->n; i++) {
		struct nfile *nf = &z->files[i];

		if (dup[i]) {
			char msg[PATH_MAX * 8 + 128];

			/* both paths whole: a J message has no length limit of its own */
			snprintf(msg, sizeof(msg),
			         "同一提交中有两个%s表%d文件：%s 与 %s，两个都不装载",
			         nf->final ? "决算" : "", nf->kind, nf->f[F_PATH],
			         z->files[dup[i] - 1].f[F_PATH]);
			text_utf8_cut(msg);
			write_rejected(z->out, nf, "duplicate_table", msg);
		} else {
			stream_write(z->out, 'F', F_NFIELDS, (const char *const *)nf->f);
			if (nf->e.ok)
				fwrite(nf->buf, 1, nf->len, z->out);
			fwrite(nf->xj, 1, nf->xjlen, z->out);
			stream_end_write(z->out, &nf->e);
		}
	}
	/* only now: a duplicate's message names the other file's path */
	for (size_t i = 0; i < z->n; i++)
		free_file(&z->files[i]);
	free(dup);
	z->n = 0;
	z->cur = NULL;
	return 0;
}

/* ---- records ------------------------------------------------------------- */

static int on_f(struct normalizer *z, const struct stream_rec *rec)
{
	char key[96];
	struct stream_file sf;
	struct nfile *nf;

	if (stream_file_decode(rec, &sf, &z->err) < 0) {
		z->code = EX_SOFTWARE;
		return -1;
	}
	if (z->cur)
		return fail(z, EX_SOFTWARE, "F record inside a file (no E before it)%s", "");
	if (sf.folder_year)
		snprintf(key, sizeof(key), "%s/%s", rec->field[F_FOLDER_YEAR],
		         rec->field[F_FOLDER_DEPT]);
	else
		snprintf(key, sizeof(key), "%s/%s", rec->field[F_YEAR], rec->field[F_DEPT]);
	if (strcmp(key, z->key) != 0) {
		if (flush_submission(z) < 0)
			return -1;
		snprintf(z->key, sizeof(z->key), "%s", key);
	}
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 16;
		struct nfile *p = realloc(z->files, cap * sizeof(*p));

		if (!p)
			return fail(z, EX_OSERR, "out of memory%s", "");
		z->files = p;
		z->cap = cap;
	}
	nf = &z->files[z->n++];
	memset(nf, 0, sizeof(*nf));
	for (int i = 0; i < F_NFIELDS; i++)
		if (!(nf->f[i] = strdup(rec->field[i])))
			return fail(z, EX_OSERR, "out of memory%s", "");
	nf->kind = sf.kind;
	nf->year = sf.year;
	nf->final = strcmp(rec->field[F_STAGE], "final") == 0;
	nf->cur_line = -1;
	if (!(nf->fp = open_memstream(&nf->buf, &nf->len)) ||
	    !(nf->xjfp = open_memstream(&nf->xj, &nf->xjlen)))
		return fail(z, EX_OSERR, "out of memory%s", "");
	submission_init(&nf->rows, nf->year, rec->field[F_DEPT]);
	z->cur = nf;
	z->classified = 0;
	if (nf->kind && nf->year && is_classified(nf->kind)) {
		struct etl_err e;

		etl_err_clear(&e);
		if ((classify_begin(&z->cls[0], z->rd, nf->kind, nf->year, &e) < 0 ||
		     classify_begin(&z->cls[1], z->rd, nf->kind, nf->year, &e) < 0) &&
		    strcmp(e.reason, "no_classification") != 0) {
			/* a list that exists and cannot be read: the run's configuration (78) */
			z->code = EX_CONFIG;
			z->err = e;
			return -1;
		} else if (strcmp(e.reason, "no_classification") == 0) {
			/* a year with no list: this file is rejected, the run goes on */
			nf->no_list = true;
			snprintf(
			    nf->no_list_msg, sizeof(nf->no_list_msg),
			    "%d 年没有科目表，无法核对编码：请把该年的科目表放到 "
			    "config/classifications/%d/（见 config/classifications/README.md）",
			    nf->year, nf->year);
		} else {
			z->classified = 1;
		}
	}
	return 0;
}

/*
 * The accounting of the record on a line: extract counted it as a fact;
 * it becomes a subtotal when its only rows are subtotals or totals, and a
 * rejected row when a row of it is rejected.  One CSV line may carry two
 * rows (决算 table 6's blocks): it still counts once.
 */
static void count_line(struct nfile *nf, long line, enum linecat cat)
{
	static const int slot[] = {E_FACTS, E_SUBTOTALS, E_REJECTED};

	if (line != nf->cur_line) {
		nf->cur_line = line;
		nf->cur_cat = LC_FACT;
		nf->cur_leaf = false;
	}
	if (cat == LC_FACT)
		nf->cur_leaf = true;
	if (nf->cur_cat == LC_REJECTED || cat == nf->cur_cat)
		return;
	/* a rejected row wins; a leaf on the line makes it a fact again */
	if (cat == LC_SUBTOTAL && nf->cur_leaf)
		return;
	nf->e.n[slot[nf->cur_cat]]--;
	nf->e.n[slot[cat]]++;
	nf->cur_cat = cat;
}

/* Hints of extract that stop here (block goes on to load). */
static bool hint(const char *field)
{
	return strncmp(field, "indent=", 7) == 0 || strncmp(field, "raw_code=", 9) == 0 ||
	       strncmp(field, "label=", 6) == 0;
}

/*
 * The key of an amount as written on: 决算 table 6 prints one 决算数 per 款,
 * personnel for classes 301 and 303, public for every other class; its
 * footer lines 人员经费合计 and 公用经费合计 are the two totals.
 */
static const char *final_econ_key(const struct nfile *nf, const struct stream_rec *rec,
                                  const char *code, const char *key)
{
	const char *label;

	if (!nf->final || nf->kind != 6 || strcmp(key, "total") != 0)
		return key;
	if ((label = stream_kv(rec, "label")))
		return strcmp(label, "personnel_total") == 0 ? "personnel"
		       : strcmp(label, "public_total") == 0  ? "public"
		                                             : key;
	if (!code || !*code)
		return key;
	return strncmp(code, "301", 3) == 0 || strncmp(code, "303", 3) == 0 ? "personnel"
	                                                                    : "public";
}

/* Write an R record with a new role and code, keeping its other fields. */
static void write_r(const struct nfile *nf, const struct stream_rec *rec, const char *role,
                    const char *code, const struct target *t)
{
	FILE *fp = nf->fp;

	putc('R', fp);
	stream_put_field(fp, rec->field[R_LINE]);
	stream_put_field(fp, role);
	stream_put_field(fp, code);
	stream_put_field(fp, rec->field[R_NAME]);
	for (int i = R_KV; i < rec->nfields; i++) {
		const char *eq = strchr(rec->field[i], '=');
		const char *key;

		if (hint(rec->field[i]))
			continue;
		if (eq && (size_t)(eq - rec->field[i]) == 5 &&
		    strncmp(rec->field[i], "total", 5) == 0 &&
		    strcmp(key = final_econ_key(nf, rec, code, "total"), "total") != 0)
			stream_put_kv(fp, key, eq + 1);
		else
			stream_put_field(fp, rec->field[i]);
	}
	if (t) {
		stream_put_kv(fp, "op", t->op);
		stream_put_kv(fp, "value", t->value);
		stream_put_kv(fp, "unit", t->unit);
	}
	putc('\n', fp);
}

/* Keep a row for the checks, with its amount measures (blank cells are none). */
static int keep_row(struct normalizer *z, const struct stream_rec *rec, const char *role,
                    const char *code, int level)
{
	struct nfile *nf = z->cur;
	struct sub_row *r =
	    sub_add_row(&nf->rows, nf->kind, nf->f[F_PATH], stream_count(rec->field[R_LINE]), role,
	                code, rec->field[R_NAME], level);

	for (int i = R_KV; r && i < rec->nfields; i++) {
		const char *eq = strchr(rec->field[i], '=');
		const struct measure_info *m;
		int64_t fen;

		if (!eq)
			return fail(z, EX_SOFTWARE, "R field \"%s\" is not key=value",
			            rec->field[i]);
		m = measure_findn(rec->field[i], (size_t)(eq - rec->field[i]));
		if (!m || m->cls != MEASURE_AMOUNT)
			continue;
		if (!eq[1]) { /* a blank cell: 0, and no figure toward the allowance */
			if (sub_add_blank(r, final_econ_key(nf, rec, code, m->key)) < 0)
				return fail(z, EX_OSERR, "out of memory%s", "");
			continue;
		}
		if (stream_amount(eq + 1, &fen) < 0)
			return fail(z, EX_SOFTWARE, "amount \"%s\" is not a decimal", eq + 1);
		if (sub_add_measure(r, final_econ_key(nf, rec, code, m->key), fen) < 0)
			return fail(z, EX_OSERR, "out of memory%s", "");
	}
	return 0;
}

static void reject_row(struct normalizer *z, const struct stream_rec *rec, const struct etl_err *e)
{
	char raw[512];
	const char *j[J_NFIELDS], *printed = stream_kv(rec, "raw_code");

	snprintf(raw, sizeof(raw), "%s%s%s", printed ? printed : rec->field[R_CODE],
	         rec->field[R_CODE][0] && rec->field[R_NAME][0] ? " " : "", rec->field[R_NAME]);
	text_utf8_cut(raw);
	j[J_LINE] = rec->field[R_LINE];
	j[J_COLUMN] = "科目编码";
	j[J_REASON] = e->reason;
	j[J_MESSAGE] = e->message;
	j[J_RAW] = raw;
	stream_write(z->cur->fp, 'J', J_NFIELDS, j);
	count_line(z->cur, stream_count(rec->field[R_LINE]), LC_REJECTED);
}

/*
 * A code extract had to pad ("301|2": a spreadsheet dropped the zero of
 * "02") stands only when the row's name is that code's name in the list: a
 * passed code_repaired check says what was read; otherwise the row is
 * rejected.  Returns 0 (kept), or -1 with e filled.
 */
static int confirm_repair(struct normalizer *z, const struct stream_rec *rec,
                          const struct classify_out *o, struct etl_err *e)
{
	struct nfile *nf = z->cur;
	const char *printed = stream_kv(rec, "raw_code");
	char subject[128], msg[ETL_ERR_MSG];

	if (!printed)
		return 0;
	if (!rec->field[R_NAME][0] || o->missing || o->name_differs)
		return etl_fail(e, "bad_code", 0, NULL,
		                "科目编码“%s”缺位：补零后为 %s，但该行名称“%.80s”不是科目表中 %s "
		                "的名称“%.80s”，不予猜测",
		                printed, o->code, rec->field[R_NAME], o->code, o->ref_name);
	snprintf(subject, sizeof(subject), "%s → %s", printed, o->code);
	snprintf(msg, sizeof(msg),
	         "科目编码“%s”缺了前导 0（电子表格去掉的），按名称“%.80s”认定为 %s", printed,
	         rec->field[R_NAME], o->code);
	add_note(&nf->notes, nf->kind, "code_repaired", subject, msg, true);
	return 0;
}

static int classified_row(struct normalizer *z, const struct stream_rec *rec)
{
	struct nfile *nf = z->cur;
	struct classify_out o;
	struct etl_err e;
	const char *role, *block = stream_kv(rec, "block");
	long line = stream_count(rec->field[R_LINE]);
	struct classify_ctx *cls = &z->cls[block && strcmp(block, "2") == 0];

	/* blocks are numbered from 1 when a line has two ("block=" absent: one) */
	if (block && strcmp(block, "1") != 0 && strcmp(block, "2") != 0)
		return fail(z, EX_SOFTWARE, "R block \"%s\" is not 1 or 2", block);
	etl_err_clear(&e);
	if (classify_row(cls, rec->field[R_CODE], rec->field[R_NAME], &o, &e) < 0 ||
	    confirm_repair(z, rec, &o, &e) < 0) {
		reject_row(z, rec, &e);
		return 0;
	}
	role = o.level == cls->max_level ? "leaf" : "subtotal";
	if (o.missing)
		add_note(&nf->notes, nf->kind, "code_in_reference_list", o.code, o.note, false);
	if (o.name_differs)
		add_note(&nf->notes, nf->kind, "name_matches_reference", o.code, o.note, false);
	if (o.old_name)
		add_note(&nf->notes, nf->kind, "code_name_old", o.code, o.note, true);
	count_line(nf, line, strcmp(role, "subtotal") == 0 ? LC_SUBTOTAL : LC_FACT);
	write_r(nf, rec, role, o.code, NULL);
	return keep_row(z, rec, role, o.code, o.level);
}

static int on_r(struct normalizer *z, const struct stream_rec *rec)
{
	struct nfile *nf = z->cur;
	const char *role;

	if (!nf)
		return fail(z, EX_SOFTWARE, "R record outside a file%s", "");
	if (rec->nfields < R_KV || stream_count(rec->field[R_LINE]) < 0)
		return fail(z, EX_SOFTWARE, "malformed R record%s", "");
	if (nf->no_list)
		return 0; /* the file is rejected at its E */
	role = rec->field[R_ROLE];
	if (strcmp(role, "row") == 0 && z->classified)
		return classified_row(z, rec);
	if (strcmp(role, "total") == 0) {
		count_line(nf, stream_count(rec->field[R_LINE]), LC_SUBTOTAL);
		write_r(nf, rec, role, "", NULL);
		return keep_row(z, rec, role, "", 0);
	}
	if (strcmp(role, "expense") == 0 && !rec->field[R_CODE][0]) {
		const char *code = classify_class_by_name(z->rd, nf->year, rec->field[R_NAME]);

		write_r(nf, rec, role, code ? code : "", NULL);
		return keep_row(z, rec, role, code ? code : "", code ? 1 : 0);
	}
	if (strcmp(role, "indicator") == 0) {
		struct target t;
		const char *text = stream_kv(rec, "target");

		memset(&t, 0, sizeof(t));
		target_parse(text ? text : "", &t);
		write_r(nf, rec, role, rec->field[R_CODE], &t);
		return 0;
	}
	write_r(nf, rec, role, rec->field[R_CODE], NULL);
	return keep_row(z, rec, role, rec->field[R_CODE], 0);
}

/*
 * Whether a column of the file's table adds up past the range of an amount:
 * the views sum its figures (a classified table's leaf rows; every row of
 * another table), and a sum PostgreSQL cannot hold would stop every reader.
 * msg: why, naming the column.
 */
static bool sum_out_of_range(const struct nfile *nf, char *msg, size_t size)
{
	const struct sub_table *t = nf->kind ? &nf->rows.tables[nf->kind] : NULL;
	struct {
		const char *key;
		int64_t sum;
	} col[64];
	int ncol = 0;

	for (size_t i = 0; t && i < t->n; i++)
		for (int m = 0; m < t->rows[i].nm; m++) {
			const struct measure *x = &t->rows[i].m[m];
			int c = 0;

			if (is_classified(nf->kind) && strcmp(t->rows[i].role, "leaf") != 0)
				continue; /* a subtotal or 合计 is one figure, summed by no view */

			while (c < ncol && strcmp(col[c].key, x->key) != 0)
				c++;
			if (c == ncol) {
				if (ncol == (int)(sizeof(col) / sizeof(col[0])))
					continue; /* more columns than any table has */
				col[ncol].key = x->key;
				col[ncol++].sum = 0;
			}
			if (!__builtin_add_overflow(col[c].sum, x->fen, &col[c].sum) &&
			    col[c].sum <= AMOUNT_MAX_FEN && col[c].sum >= -AMOUNT_MAX_FEN)
				continue;
			snprintf(msg, size,
			         "“%s”列各明细行金额之和超出可装载的范围（绝对值须小于 10¹⁶ "
			         "元），整表不予装载",
			         measure_name(x->key));
			text_utf8_cut(msg);
			return true;
		}
	return false;
}

static int on_e(struct normalizer *z, const struct stream_rec *rec)
{
	struct nfile *nf = z->cur;
	struct stream_end e;
	char msg[ETL_ERR_MSG];

	if (!nf)
		return fail(z, EX_SOFTWARE, "E record outside a file%s", "");
	if (stream_end_decode(rec, &e, &z->err) < 0) {
		z->code = EX_SOFTWARE;
		return -1;
	}
	if (e.ok && (nf->no_list || sum_out_of_range(nf, msg, sizeof(msg)))) {
		/*
		 * No classification list for its year, or a column whose figures add
		 * up past what an amount holds (the views sum them): rejected whole,
		 * the run goes on.
		 */
		const char *j[J_NFIELDS] = {"0", "",
		                            nf->no_list ? "no_reference_list" : "sum_out_of_range",
		                            nf->no_list ? nf->no_list_msg : msg, ""};

		stream_write(nf->xjfp, 'J', J_NFIELDS, j);
		e.n[E_REJECTED] = e.n[E_RECORDS] - e.n[E_META];
		e.n[E_FACTS] = e.n[E_SUBTOTALS] = 0;
		e.ok = false;
	}
	if (e.ok) {
		for (int i = 0; i < E_STATUS; i++)
			nf->e.n[i] += e.n[i];
	} else {
		/*
		 * Rejected whole (a malformed line after rows were read, say) or
		 * skipped: none of its rows is written on, so its counts are
		 * extract's.
		 */
		memcpy(nf->e.n, e.n, sizeof(e.n));
	}
	nf->e.ok = e.ok;
	nf->e.skipped = e.skipped;
	nf->e.half_unit = e.half_unit;
	/* the rounding allowance of every printed figure of this table */
	if (nf->kind) {
		struct sub_table *t = &nf->rows.tables[nf->kind];

		t->half_unit = e.half_unit;
		for (size_t i = 0; i < t->n; i++)
			t->rows[i].half_unit = e.half_unit;
	}
	fclose(nf->fp);
	fclose(nf->xjfp);
	nf->fp = nf->xjfp = NULL;
	z->cur = NULL;
	return 0;
}

static int on_record(struct normalizer *z, const struct stream_rec *rec)
{
	if (rec->tag != 'S' && !z->seen_header)
		return fail(z, EX_SOFTWARE, "%s", "no S header line first");
	switch (rec->tag) {
	case 'S':
		if (rec->nfields < 2 || strcmp(rec->field[0], STREAM_MAGIC) != 0 ||
		    strcmp(rec->field[1], STREAM_VERSION) != 0)
			return fail(z, EX_SOFTWARE, "not a budget-etl stream of version %s",
			            STREAM_VERSION);
		z->seen_header = true;
		stream_write_header(z->out);
		return 0;
	case 'F': return on_f(z, rec);
	case 'R': return on_r(z, rec);
	case 'J':
		if (!z->cur)
			return fail(z, EX_SOFTWARE, "J record outside a file%s", "");
		if (rec->nfields < J_NFIELDS)
			return fail(z, EX_SOFTWARE, "malformed J record%s", "");
		stream_write(z->cur->xjfp, 'J', rec->nfields, (const char *const *)rec->field);
		return 0;
	case 'E': return on_e(z, rec);
	case 'C':
		stream_write(z->out, 'C', rec->nfields, (const char *const *)rec->field);
		return 0;
	default: return fail(z, EX_SOFTWARE, "a W record has no place here%s", "");
	}
}

/* Read the whole stream; returns 0 or the exit code (z->err says why). */
static int run(struct normalizer *z, FILE *in)
{
	struct stream_reader r;
	struct stream_rec rec;
	int rc;

	stream_reader_init(&r, in);
	while ((rc = stream_read(&r, &rec, &z->err)) > 0)
		if (on_record(z, &rec) < 0)
			break;
	if (rc < 0)
		z->code = EX_SOFTWARE;
	else if (!z->code && z->cur)
		fail(z, EX_SOFTWARE, "input ends inside a file (no E record)%s", "");
	else if (!z->code && !z->seen_header)
		fail(z, EX_SOFTWARE, "empty input (no S header)%s", "");
	if (!z->code)
		flush_submission(z);
	if (z->code && !z->err.line)
		z->err.line = r.lineno;
	stream_reader_free(&r);
	return z->code;
}

static void normalizer_free(struct normalizer *z)
{
	for (size_t i = 0; i < z->n; i++) {
		if (z->files[i].fp)
			fclose(z->files[i].fp);
		if (z->files[i].xjfp)
			fclose(z->files[i].xjfp);
		free_file(&z->files[i]);
	}
	free(z->files);
	z->files = NULL;
	z->n = 0;
}

static void usage(FILE *out)
{
	fputs("usage: normalize [--config-dir DIR] < extract-stream > normalized-stream\n"
	      "Maps and validates classification codes, checks every identity of each\n"
	      "submission and writes the stream on (README \"The stages and the row stream\").\n"
	      "  --config-dir DIR  configuration (default $ETL_HOME/config)\n"
	      "  --strict-checks   accepted for symmetry with load, which enforces it\n",
	      out);
}

/* Options; 0, EX_USAGE, or -1 for --help. */
static int parse_options(int argc, char **argv, char *dir, size_t size)
{
	enum { OPT_CONFIG_DIR = 256, OPT_STRICT };
	static const struct option longopts[] = {
	    {"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	    {"strict-checks", no_argument, NULL, OPT_STRICT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	paths_config_dir(dir, size);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG_DIR: snprintf(dir, size, "%s", optarg); break;
		case OPT_STRICT: break; /* enforced by load, which sees every C record first */
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct normalizer z;
	struct refdata rd;
	struct etl_config cfg;
	struct etl_err err;
	bool found;
	int code;

	log_init("normalize", false, false);
	if ((code = parse_options(argc, argv, dir, sizeof(dir))))
		return code < 0 ? EX_OK : code;
	etl_err_clear(&err);
	config_defaults(&cfg);
	snprintf(path, sizeof(path), "%s/etl.conf", dir);
	if (config_load(&cfg, path, &found, &err) < 0) {
		log_error("%s", err.message);
		return EX_CONFIG;
	}
	snprintf(path, sizeof(path), "%s/classifications", dir);
	if (refdata_load_for_validation(&rd, path, &err) < 0) {
		log_error("%s", err.message);
		return EX_CONFIG;
	}
	memset(&z, 0, sizeof(z));
	z.rd = &rd;
	z.tolerance = cfg.tolerance_fen;
	z.out = stdout;
	stream_buffer(stdin);
	stream_buffer(stdout);
	etl_err_clear(&z.err);
	code = run(&z, stdin);
	if (fflush(stdout) != 0 && !code) {
		log_error("standard output: %s", strerror(errno));
		code = EX_IOERR;
	}
	if (code) {
		if (z.err.line)
			log_error("stream line %ld: %s", z.err.line, z.err.message);
		else
			log_error("%s", z.err.message);
	}
	normalizer_free(&z);
	refdata_free(&rd);
	return code;
}
