/*
 * consume: the sink reads the row stream (etl/common/stream.h), record by
 * record in the order S (C* (F R* J* E)*)*, decides the fate of each file
 * (loaded, unchanged, rejected) and hands its rows to the batch.
 *
 * Every record is accounted for: a broken stream stops the run with 70,
 * the same code as in every other stage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"
#include "paths.h"
#include "textnorm.h"

int sink_init(struct sink *s, struct run *r, bool shared)
{
	memset(s, 0, sizeof(*s));
	s->run = r;
	s->o = r->o;
	s->w = shared ? &r->w : &s->own;
	s->lw = s->w;
	s->msgfd = -1;
	s->failed = calloc(MAX_SUBMISSIONS, sizeof(*s->failed));
	return s->failed ? 0 : run_stop(r, EX_OSERR, "%s", "out of memory");
}

void sink_free(struct sink *s)
{
	batch_overlap_end(s); /* waits for the batch in flight */
	file_state_free(&s->f);
	batch_free(&s->b);
	ledger_free(&s->ledger);
	free(s->failed);
	for (int i = 0; i < s->nwarned; i++)
		free(s->warned[i]);
	if (s->w == &s->own && s->own.conn)
		pgw_close(&s->own);
	memset(s, 0, sizeof(*s));
}

/* A broken stream (70): remember it (merge_codes blames a failed child first). */
static int broken(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int broken(struct sink *s, const char *fmt, ...)
{
	char msg[ETL_ERR_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->stream_broken = true;
	return run_stop(s->run, EX_SOFTWARE, "stream line %ld: %s", s->lineno,
	                strncmp(msg, "stream: ", 8) == 0 ? msg + 8 : msg);
}

/* Warn once per text; false when it was warned before (or the list is full). */
static bool warn_once(struct sink *s, const char *text)
{
	if (list_has(s->warned, s->nwarned, text) || s->nwarned >= 64)
		return false;
	s->warned[s->nwarned] = strdup(text);
	if (s->warned[s->nwarned])
		s->nwarned++;
	return true;
}

/* ---- checks: C ------------------------------------------------------------------ */

static bool submission_failed(const struct sink *s, int year, const char *dept)
{
	for (int i = 0; i < s->nfailed; i++)
		if (s->failed[i].year == year && strcmp(s->failed[i].dept, dept) == 0)
			return true;
	return false;
}

/* A failed check: remember its submission and a line for the summary. */
static void note_failed_check(struct sink *s, int year, const char *dept, const char *kind,
                              const char *name, const char *subject, const char *message)
{
	struct tally *t = &s->run->t;
	char line[1024];

	t->checks_failed++;
	if (!submission_failed(s, year, dept) && s->nfailed < MAX_SUBMISSIONS) {
		s->failed[s->nfailed].year = year;
		snprintf(s->failed[s->nfailed].dept, sizeof(s->failed[0].dept), "%s", dept);
		s->nfailed++;
	}
	snprintf(line, sizeof(line), "%d/%s%s%s %s%s%s: %s", year, dept, *kind ? " 表" : "", kind,
	         name, *subject ? " " : "", subject, message);
	text_utf8_cut(line);
	list_add(t->listed_checks, &t->nlisted_checks, line);
}

static int on_check(struct sink *s, const struct stream_rec *r)
{
	struct stream_check c;
	struct etl_err err;
	char *const *f;

	if (stream_check_decode(r, &c, &err) < 0)
		return broken(s, "%s", err.message);
	f = c.field;
	if (!c.passed)
		note_failed_check(s, c.year, f[C_DEPT], f[C_KIND], f[C_NAME], f[C_SUBJECT],
		                  f[C_MESSAGE]);
	return store_check_row(s, (const char *const *)f, c.passed);
}

/* ---- files: F -------------------------------------------------------------------- */

void file_state_free(struct file_state *f)
{
	for (int i = 0; i < F_NFIELDS; i++)
		free(f->field[i]);
	free(f->abspath);
	pgw_buf_free(&f->rejects);
	memset(f, 0, sizeof(*f));
}

const char *file_status_name(enum file_status st)
{
	switch (st) {
	case ST_LOADED: return "loaded";
	case ST_UNCHANGED: return "unchanged";
	case ST_SKIPPED: return "skipped";
	default: return "rejected";
	}
}

/*
 * The department of a file against the registry: an unknown code is named
 * in the summary; a known code with another name is a failed check.
 */
static int check_department(struct sink *s)
{
	const struct run *r = s->run;
	const char *code = s->f.field[F_DEPT], *name = s->f.field[F_DEPT_NAME];
	const struct department *d;
	char a[CONFIG_NAME_MAX], b[CONFIG_NAME_MAX], line[CONFIG_NAME_MAX * 2 + 64];

	if (!*code)
		return 0;
	d = dept_find(&r->reg, code);
	if (strcmp(s->f.field[F_SCOPE], "unit") == 0 && (!d || !d->parent_code[0])) {
		snprintf(line, sizeof(line), "%s %s", code,
		         *name ? name
		         : d   ? d->name
		               : "(no name)");
		text_utf8_cut(line);
		if (!list_has(s->run->t.orphan_units, s->run->t.norphan_units, line))
			list_add(s->run->t.orphan_units, &s->run->t.norphan_units, line);
	}
	if (!d) {
		snprintf(line, sizeof(line), "%s %s", code, *name ? name : "(no name)");
		text_utf8_cut(line);
		if (!list_has(s->run->t.unregistered, s->run->t.nunregistered, line))
			list_add(s->run->t.unregistered, &s->run->t.nunregistered, line);
		return 0;
	}
	if (!*name || strcmp(text_key(name, a, sizeof(a)), text_key(d->name, b, sizeof(b))) == 0)
		return 0;
	snprintf(line, sizeof(line), "name %d/%s %s", s->f.year, code, name);
	if (!warn_once(s, line))
		return 0;
	snprintf(line, sizeof(line),
	         "部门名称不一致：文件中为“%s”，登记（config/departments.csv）为“%s”", name,
	         d->name);
	text_utf8_cut(line);
	note_failed_check(s, s->f.year, code, "", "dept_name_matches_registry", code, line);
	{
		const char *c[C_NFIELDS] = {NULL};

		c[C_YEAR] = s->f.field[F_YEAR];
		c[C_DEPT] = code;
		c[C_NAME] = "dept_name_matches_registry";
		c[C_SUBJECT] = code;
		c[C_MESSAGE] = line;
		c[C_STAGE] = s->f.field[F_STAGE];
		return store_check_row(s, c, false);
	}
}

static int on_file(struct sink *s, const struct stream_rec *r)
{
	struct file_state *f = &s->f;
	struct stream_file sf;
	struct etl_err err;
	char abspath[PATH_MAX];

	if (stream_file_decode(r, &sf, &err) < 0)
		return broken(s, "%s", err.message);
	if (!s->o->dry_run && batch_due(&s->b, r->field) && batch_flush(s) < 0)
		return -1;
	file_state_free(f);
	f->open = true;
	for (int i = 0; i < F_NFIELDS; i++)
		if (!(f->field[i] = strdup(r->field[i])))
			return run_stop(s->run, EX_OSERR, "%s", "out of memory");
	paths_absolute(s->run->cwd, f->field[F_PATH], abspath, sizeof(abspath));
	if (!(f->abspath = strdup(abspath)))
		return run_stop(s->run, EX_OSERR, "%s", "out of memory");
	f->year = sf.year;
	f->kind = sf.kind;
	f->bytes = sf.bytes;
	batch_touch(&s->b);
	for (int w = 0; w < ROWS_N; w++)
		file_range(f, w)[0] = file_range(f, w)[1] = batch_rows(&s->b, w)->len;
	return check_department(s);
}

/* ---- rows: R --------------------------------------------------------------------- */

static int on_row(struct sink *s, const struct stream_rec *r)
{
	const char *role;

	if (r->nfields < R_KV)
		return broken(s, "R record with %d fields", r->nfields);
	if (stream_count(r->field[R_LINE]) < 0)
		return broken(s, "R line \"%s\" is not a number", r->field[R_LINE]);
	role = r->field[R_ROLE];
	s->f.nrows++;
	if (strcmp(role, "project") == 0)
		store_project_row(s, r);
	else if (strcmp(role, "indicator") == 0 && store_indicator_row(s, r) < 0)
		return -1;
	return store_fact_rows(s, r);
}

/* ---- rejects: J ------------------------------------------------------------------ */

void sink_reject(struct sink *s, struct file_state *f, const char *line, const char *column,
                 const char *reason, const char *message, const char *raw)
{
	struct pgw_buf *out = &f->rejects;
	bool whole = strcmp(line, "0") == 0 || !*line;
	char shown[PATH_MAX * 2], msg[ETL_ERR_MSG * 2];

	if (!s->is_writer)
		progress_clear(); /* the reader draws; a writer's line comes as it is */
	text_escape_controls(paths_shown(s->run->cwd, f->field[F_PATH]), shown, sizeof(shown));
	text_escape_controls(message, msg, sizeof(msg));
	if (whole)
		fprintf(stderr, "%s: %s: %s\n", shown, reason, msg);
	else
		fprintf(stderr, "%s:%s: %s: %s\n", shown, line, reason, msg);
	pgw_buf_field(out, false, f->abspath);
	pgw_buf_field(out, false, whole ? NULL : line);
	pgw_buf_field(out, false, column && *column ? column : NULL);
	pgw_buf_field(out, false, raw && *raw ? raw : NULL);
	pgw_buf_field(out, false, reason);
	pgw_buf_field(out, false, message);
	pgw_buf_putc(out, '\n');
	if (s->is_writer)
		s->any_rejected = true; /* merged by the reader (batch_settle) */
	else
		s->run->t.any_reject = true;
}

static int on_reject(struct sink *s, const struct stream_rec *r)
{
	char *const *j = r->field;

	if (r->nfields < J_NFIELDS)
		return broken(s, "J record with %d fields", r->nfields);
	if (stream_count(j[J_LINE]) < 0)
		return broken(s, "J line \"%s\" is not a number", j[J_LINE]);
	s->f.nrejects++;
	if (strcmp(j[J_LINE], "0") == 0)
		s->f.whole_file = true;
	sink_reject(s, &s->f, j[J_LINE], j[J_COLUMN], j[J_REASON], j[J_MESSAGE], j[J_RAW]);
	return 0;
}

/* ---- end of a file: E ------------------------------------------------------------ */

/*
 * What becomes of the file before any database look-up: rejected (by extract
 * or normalize, by --strict-checks, or for rejected rows without
 * --accept-partial), or a candidate for loading.
 */
static enum file_status decide(struct sink *s, const struct stream_end *e)
{
	struct file_state *f = &s->f;

	if (e->skipped && !f->whole_file && f->nrejects == 0) {
		char shown[PATH_MAX * 2];

		/* not an error, never silent: said on stderr, recorded in etl.files */
		progress_clear();
		text_escape_controls(paths_shown(s->run->cwd, f->field[F_PATH]), shown,
		                     sizeof(shown));
		fprintf(
		    stderr,
		    "%s: skipped_table: “%s”是公开表之外的附加表，识别后跳过，未装载（不是错误）\n",
		    shown, f->field[F_TITLE]);
		return ST_SKIPPED;
	}
	if (!e->ok || f->whole_file) {
		if (f->nrejects == 0)
			sink_reject(s, f, "0", "", "file_rejected",
			            "文件被整体拒绝（前一阶段未给出原因）", "");
		return ST_REJECTED;
	}
	if (!f->year || !f->kind || !*f->field[F_DEPT] || !*f->field[F_STAGE]) {
		sink_reject(s, f, "0", "", "unrecognised_table",
		            "无法确定该表的年度、部门或表种，未加载", "");
		return ST_REJECTED;
	}
	if (s->o->strict && submission_failed(s, f->year, f->field[F_DEPT])) {
		sink_reject(s, f, "0", "", "failed_checks",
		            "该提交有未通过的核对（--strict-checks），整个提交不予加载", "");
		return ST_REJECTED;
	}
	if (f->nrejects > 0 && !s->o->accept_partial) {
		char msg[256];

		snprintf(msg, sizeof(msg),
		         "表中有 %ld 行被拒绝，整表未加载（原有版本保留；--accept-partial "
		         "可加载其余各行）",
		         f->nrejects);
		sink_reject(s, f, "0", "", "table_not_loaded", msg, "");
		return ST_REJECTED;
	}
	return ST_LOADED;
}

void sink_file_done(struct sink *s, const struct file_state *f)
{
	if (s->msgfd >= 0) {
		/* the parent counts it: a worker stopped later has sent what it sealed */
		char n[4][24];

		snprintf(n[0], sizeof(n[0]), "%ld", f->e[E_RECORDS]);
		snprintf(n[1], sizeof(n[1]), "%ld", f->st == ST_LOADED ? f->nrows : 0L);
		snprintf(n[2], sizeof(n[2]), "%ld", f->e[E_REJECTED]);
		snprintf(n[3], sizeof(n[3]), "%lld", f->bytes);
		message_write(
		    s->msgfd, 6,
		    (const char *const[]){"file", file_status_name(f->st), n[0], n[1], n[2], n[3]});
	} else {
		tally_file(&s->run->t, f->st, f->e[E_RECORDS], f->st == ST_LOADED ? f->nrows : 0,
		           f->e[E_REJECTED], f->bytes);
	}
	if (progress_tty())
		return; /* the bar says it; a line a file would hide it */
	if (f->st == ST_LOADED)
		log_info("%s %s: table %d of %d/%s (%ld rows)",
		         s->o->dry_run ? "would load" : "loaded", f->field[F_PATH], f->kind,
		         f->year, f->field[F_DEPT], f->nrows);
	else if (f->st == ST_UNCHANGED)
		log_info("unchanged %s", f->field[F_PATH]);
}

static int on_end(struct sink *s, const struct stream_rec *r)
{
	struct file_state *f = &s->f;
	struct batch *b = &s->b;
	struct stream_end e;
	char sha[80] = "";
	struct etl_err err;

	if (stream_end_decode(r, &e, &err) < 0) {
		if (strcmp(err.reason, "bad_accounting") == 0)
			return broken(s, "%s: %s; the run stops", f->field[F_PATH], err.message);
		return broken(s, "%s", err.message);
	}
	memcpy(f->e, e.n, sizeof(f->e));
	f->st = decide(s, &e);
	/* its earlier version still being written: what is committed first */
	if (!s->o->dry_run && f->st == ST_LOADED && batch_in_flight(s, f->field) &&
	    batch_settle(s) < 0)
		return -1;
	if (!s->o->dry_run && f->st == ST_LOADED && !s->o->force) {
		if (ledger_loaded_sha(s, sha, sizeof(sha), &err) < 0) {
			s->db_broken = true;
			return run_db_fail_on(s->run, s->lw, &err);
		}
		if (*sha && strcmp(sha, f->field[F_SHA256]) == 0)
			f->st = ST_UNCHANGED;
	}
	for (int w = 0; w < ROWS_N; w++) {
		struct pgw_buf *rows = batch_rows(b, w);
		size_t *at = file_range(f, w);

		if (f->st != ST_LOADED || s->o->dry_run) {
			rows->len = at[0]; /* its rows are not written */
			if (rows->p)
				rows->p[rows->len] = '\0';
		}
		at[1] = rows->len;
		if (rows->oom || f->rejects.oom)
			return run_stop(s->run, EX_OSERR, "%s", "out of memory");
	}
	if (s->o->dry_run) {
		sink_file_done(s, f);
		file_state_free(f);
		return 0;
	}
	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		struct file_state *nf = realloc(b->f, (size_t)cap * sizeof(*nf));

		if (!nf)
			return run_stop(s->run, EX_OSERR, "%s", "out of memory");
		b->f = nf;
		b->cap = cap;
	}
	f->open = false;
	b->f[b->n++] = *f; /* the batch owns it now */
	memset(f, 0, sizeof(*f));
	return 0;
}

/* ---- the stream ------------------------------------------------------------------- */

static int on_header(struct sink *s, const struct stream_rec *r)
{
	if (r->nfields < 2 || strcmp(r->field[0], STREAM_MAGIC) != 0 ||
	    strcmp(r->field[1], STREAM_VERSION) != 0)
		return broken(s, "not a budget-etl stream of version %s", STREAM_VERSION);
	s->seen_header = true;
	return 0;
}

/* One record, in its place in S (C* (F R* J* E)*)*. */
static int on_record(struct sink *s, const struct stream_rec *r)
{
	if (r->tag == 'S')
		return on_header(s, r);
	if (!s->seen_header)
		return broken(s, "%s", "no S header line first");
	if (r->tag == 'W' || (r->tag == 'R' || r->tag == 'J' || r->tag == 'E') != s->f.open)
		return broken(s, "%c record out of place", r->tag);
	switch (r->tag) {
	case 'C': return on_check(s, r);
	case 'F': return on_file(s, r);
	case 'R': return on_row(s, r);
	case 'J': return on_reject(s, r);
	default: return on_end(s, r);
	}
}

void sink_read_stream(struct sink *s, FILE *in)
{
	struct stream_reader rd;
	struct stream_rec rec;
	struct etl_err err;
	struct run *r = s->run;

	stream_reader_init(&rd, in);
	while (!got_signal && !r->fatal) {
		int rc;

		etl_err_clear(&err);
		rc = stream_read(&rd, &rec, &err);
		if (rc == 0)
			break;
		s->lineno = rd.lineno;
		if (rc < 0) {
			broken(s, "%s", err.message);
			break;
		}
		on_record(s, &rec);
	}
	if (!got_signal && !r->fatal && ferror(in))
		broken(s, "read error: %s", strerror(errno));
	if (!got_signal && !r->fatal && s->f.open)
		broken(s, "%s ends without its E record", s->f.field[F_PATH]);
	if (!got_signal && !r->fatal && !s->seen_header)
		broken(s, "%s", "empty input (no S header)");
	/* the tables read whole before a stop are written, as one by one they would have been */
	if (!got_signal && !s->db_broken && !s->o->dry_run && s->w->conn)
		batch_flush(s);
	batch_settle(s);
	stream_reader_free(&rd);
}
