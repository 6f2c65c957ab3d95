/*
 * store: the COPY targets and set-based statements of a batch's
 * transaction.  Each target's column list sits beside the function that
 * writes its fields, in the same order, so the two cannot drift apart.
 * Values reach the server only as COPY text or bound parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"
#include "measure.h"

static const char *null_if_empty(const char *s)
{
	return s && *s ? s : NULL;
}

/* The start of every fact/project/indicator row after file_id: its table. */
static void put_table_key(struct pgw_buf *out, const struct file_state *f, bool with_kind)
{
	pgw_buf_field(out, false, f->field[F_YEAR]);
	pgw_buf_field(out, false, f->field[F_DEPT]);
	pgw_buf_field(out, false, f->field[F_STAGE]);
	if (with_kind) {
		char num[16];

		snprintf(num, sizeof(num), "%d", f->kind);
		pgw_buf_field(out, false, num);
	}
}

/* ---- core.fact_amount ------------------------------------------------------------- */

static const char copy_facts[] =
    "COPY core.fact_amount (file_id, fiscal_year, dept_code, stage, table_kind, row_role,"
    " code, label, measure, amount, line, block) FROM STDIN";

/* One core.fact_amount row per amount measure (zero skipped except in table 7). */
int store_fact_rows(struct sink *s, const struct stream_rec *r)
{
	struct file_state *f = &s->f;
	struct pgw_buf *out = batch_rows(&s->b, ROWS_FACTS);
	const char *block = stream_kv(r, "block");

	if (!block || !*block)
		block = "0";
	else if (stream_count(block) < 0 || stream_count(block) > 9)
		return run_stop(s->run, EX_SOFTWARE, "stream: block \"%s\" is not 0..9", block);
	for (int i = R_KV; i < r->nfields; i++) {
		const char *kv = r->field[i], *eq = strchr(kv, '=');
		const struct measure_info *m;
		int64_t fen;

		if (!eq)
			return run_stop(s->run, EX_SOFTWARE,
			                "stream: R field \"%s\" is not key=value", kv);
		m = measure_findn(kv, (size_t)(eq - kv));
		if (!m) {
			char key[64];

			snprintf(key, sizeof(key), "%.*s",
			         (int)(eq - kv) < 60 ? (int)(eq - kv) : 60, kv);
			if (s->nwarned < 64 && !list_has(s->warned, s->nwarned, key)) {
				s->warned[s->nwarned++] = strdup(key);
				log_warn(
				    "stream: R key \"%s\" is not in the vocabulary; not loaded",
				    key);
			}
			continue;
		}
		if (m->cls != MEASURE_AMOUNT || !eq[1])
			continue;
		if (stream_amount(eq + 1, &fen) < 0)
			return run_stop(s->run, EX_SOFTWARE,
			                "stream: amount \"%s\" is not a decimal", eq + 1);
		if (fen == 0 && f->kind != 7)
			continue;
		put_table_key(out, f, true);
		pgw_buf_field(out, false, r->field[R_ROLE]);
		pgw_buf_field(out, false, null_if_empty(r->field[R_CODE]));
		pgw_buf_field(out, false, null_if_empty(r->field[R_NAME]));
		pgw_buf_field(out, false, m->key);
		pgw_buf_field(out, false, eq + 1);
		pgw_buf_field(out, false, r->field[R_LINE]);
		pgw_buf_field(out, false, block);
		pgw_buf_putc(out, '\n');
	}
	return 0;
}

/* ---- core.project and core.project_indicator (table 9) ------------------------------ */

static const char copy_projects[] =
    "COPY core.project (file_id, fiscal_year, dept_code, stage, project_no, project_name,"
    " supervisor, amount, goal, line) FROM STDIN";

/* A project row (project_no in file order). */
void store_project_row(struct sink *s, const struct stream_rec *r)
{
	struct file_state *f = &s->f;
	struct pgw_buf *out = batch_rows(&s->b, ROWS_PROJECTS);
	char num[16];

	f->project_no++;
	f->indicator_no = 0;
	snprintf(num, sizeof(num), "%d", f->project_no);
	put_table_key(out, f, false);
	pgw_buf_field(out, false, num);
	pgw_buf_field(out, false, r->field[R_NAME]);
	pgw_buf_field(out, false, null_if_empty(stream_kv(r, "supervisor")));
	pgw_buf_field(out, false, null_if_empty(stream_kv(r, "amount")));
	pgw_buf_field(out, false, null_if_empty(stream_kv(r, "goal")));
	pgw_buf_field(out, false, r->field[R_LINE]);
	pgw_buf_putc(out, '\n');
}

static const char copy_indicators[] =
    "COPY core.project_indicator (file_id, fiscal_year, dept_code, stage, project_no,"
    " indicator_no, level1, level2, level3, target_text, target_operator, target_value,"
    " target_unit, line) FROM STDIN";

/* An indicator of the last project. */
int store_indicator_row(struct sink *s, const struct stream_rec *r)
{
	static const char *const keys[] = {"l1", "l2", "l3", "target", "op", "value", "unit"};
	struct file_state *f = &s->f;
	struct pgw_buf *out = batch_rows(&s->b, ROWS_INDICATORS);
	char num[16];

	if (f->project_no == 0)
		return run_stop(s->run, EX_SOFTWARE,
		                "stream: indicator at line %s before any project",
		                r->field[R_LINE]);
	put_table_key(out, f, false);
	snprintf(num, sizeof(num), "%d", f->project_no);
	pgw_buf_field(out, false, num);
	snprintf(num, sizeof(num), "%d", ++f->indicator_no);
	pgw_buf_field(out, false, num);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		pgw_buf_field(out, false, null_if_empty(stream_kv(r, keys[i])));
	pgw_buf_field(out, false, r->field[R_LINE]);
	pgw_buf_putc(out, '\n');
	return 0;
}

/* ---- etl.checks -------------------------------------------------------------------- */

static const char copy_checks[] =
    "COPY etl.checks (run_id, fiscal_year, dept_code, table_kind, check_name, subject,"
    " expected, actual, passed, message, stage, row_count, max_abs_difference, allowance)"
    " FROM STDIN";

/* Queue one etl.checks row (written with the batch's transaction); empty = NULL. */
int store_check_row(struct sink *s, const char *const *f, bool passed)
{
	struct pgw_buf *c = &s->b.checks;

	if (s->o->dry_run)
		return 0;
	batch_touch(&s->b);
	pgw_buf_field(c, false, null_if_empty(f[C_YEAR]));
	pgw_buf_field(c, false, null_if_empty(f[C_DEPT]));
	pgw_buf_field(c, false, null_if_empty(f[C_KIND]));
	pgw_buf_field(c, false, f[C_NAME]);
	pgw_buf_field(c, false, null_if_empty(f[C_SUBJECT]));
	pgw_buf_field(c, false, null_if_empty(f[C_EXPECTED]));
	pgw_buf_field(c, false, null_if_empty(f[C_ACTUAL]));
	pgw_buf_field(c, false, passed ? "true" : "false");
	pgw_buf_field(c, false, null_if_empty(f[C_MESSAGE]));
	pgw_buf_field(c, false, f[C_STAGE] && *f[C_STAGE] ? f[C_STAGE] : "budget");
	pgw_buf_field(c, false, f[C_ROWS] && *f[C_ROWS] ? f[C_ROWS] : "1");
	pgw_buf_field(c, false, null_if_empty(f[C_MAX_DIFF]));
	pgw_buf_field(c, false, null_if_empty(f[C_ALLOWANCE]));
	pgw_buf_putc(c, '\n');
	if (c->oom)
		return run_stop(s->run, EX_OSERR, "%s", "out of memory");
	return 0;
}

/* ---- etl.rejects -------------------------------------------------------------------- */

static const char copy_rejects[] = "COPY etl.rejects (run_id, file_path, line, column_name,"
                                   " raw_value, reason, message) FROM STDIN";
/* (the fields after run_id are written by sink_reject(), consume.c) */

/* COPY the rejects of files [from, to) and, when asked, the batch's checks. */
int store_rejects_checks(struct sink *s, int from, int to, bool checks, struct etl_err *err)
{
	struct pgw_copy c;
	bool any = false;

	for (int i = from; i < to && !any; i++)
		any = s->b.f[i].rejects.len > 0;
	if (any) {
		if (pgw_copy_begin(&c, s->w, copy_rejects, err) < 0)
			return -1;
		for (int i = from; i < to; i++) {
			const struct pgw_buf *r = &s->b.f[i].rejects;

			if (r->len && pgw_copy_lines(&c, s->run->run_text, r->p, r->len, err) < 0) {
				struct etl_err ignored;

				pgw_copy_end(&c, "load failed", &ignored);
				return -1;
			}
		}
		if (pgw_copy_end(&c, NULL, err) < 0)
			return -1;
	}
	if (!checks || s->b.checks.len == 0)
		return 0;
	return pgw_copy_text(s->w, copy_checks, s->run->run_text, s->b.checks.p, s->b.checks.len,
	                     err);
}

/* ---- etl.files ------------------------------------------------------------------------ */

/* file_ids for n files from the etl.files sequence, in file order. */
int store_file_ids(struct sink *s, int n, long long *ids, struct etl_err *err)
{
	char num[24];
	const char *const p[] = {num};
	PGresult *res;

	snprintf(num, sizeof(num), "%d", n);
	if (pgw_exec(s->w,
	             "SELECT nextval(pg_get_serial_sequence('etl.files', 'file_id'))"
	             " FROM generate_series(1, $1::int)",
	             1, p, &res, err) < 0)
		return -1;
	if (PQntuples(res) != n) {
		PQclear(res);
		return etl_fail(err, "db_error", 0, NULL, "etl.files: %d file ids asked, %d given",
		                n, PQntuples(res));
	}
	for (int i = 0; i < n; i++)
		ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static const char copy_files[] =
    "COPY etl.files (file_id, run_id, file_path, sha256, fiscal_year, dept_code, table_kind,"
    " stage, encoding, status, rows_read, rows_loaded, rows_rejected, publication_scope)"
    " FROM STDIN";

/* One etl.files row per file of [from, to), with its file_id. */
int store_files(struct sink *s, int from, int to, const long long *ids, struct etl_err *err)
{
	struct pgw_buf rows = {0};
	int rc;

	for (int i = from; i < to; i++) {
		const struct file_state *f = &s->b.f[i];
		char num[4][24];

		snprintf(num[0], 24, "%lld", ids[i - from]);
		snprintf(num[1], 24, "%ld", f->e[E_RECORDS]);
		snprintf(num[2], 24, "%ld", f->st == ST_LOADED ? f->nrows : 0L);
		snprintf(num[3], 24, "%ld", f->e[E_REJECTED]);
		pgw_buf_field(&rows, true, num[0]);
		pgw_buf_field(&rows, false, s->run->run_text);
		pgw_buf_field(&rows, false, f->abspath);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_SHA256]));
		pgw_buf_field(&rows, false, f->year ? f->field[F_YEAR] : NULL);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_DEPT]));
		pgw_buf_field(&rows, false, f->kind ? f->field[F_KIND] : NULL);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_STAGE]));
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_ENCODING]));
		pgw_buf_field(&rows, false, file_status_name(f->st));
		pgw_buf_field(&rows, false, num[1]);
		pgw_buf_field(&rows, false, num[2]);
		pgw_buf_field(&rows, false, num[3]);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_SCOPE]));
		pgw_buf_putc(&rows, '\n');
	}
	if (rows.oom)
		rc = etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	else
		rc = pgw_copy_text(s->w, copy_files, "", rows.p, rows.len, err);
	pgw_buf_free(&rows);
	return rc;
}

/* ---- dimensions met in files ---------------------------------------------------------- */

/* A department first met in a file: registered = false, default region. */
int store_register_department(struct sink *s, const struct file_state *f, struct etl_err *err)
{
	const struct etl_config *c = &s->run->cfg;
	const char *code = f->field[F_DEPT], *name = f->field[F_DEPT_NAME];
	char region[CONFIG_NAME_MAX * 3 + 3];
	const char *const pr[] = {
	    dept_region_code(c->province, c->city, c->district, region, sizeof(region)),
	    c->province, c->city, c->district};
	const char *const pd[] = {code, *name ? name : code, region, c->unit_type};

	if (pgw_exec(s->w,
	             "INSERT INTO core.dim_region (region_code, province, city, district)"
	             " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
	             4, pr, NULL, err) < 0)
		return -1;
	return pgw_exec(s->w,
	                "INSERT INTO core.dim_department (dept_code, dept_name, region_code,"
	                " unit_type, registered) VALUES ($1, $2, $3, $4, false)"
	                " ON CONFLICT DO NOTHING",
	                4, pd, NULL, err);
}

/*
 * The fiscal years of the loaded files of [from, to) into core.dim_fiscal_year
 * and etl.refresh_years (their aggregates are recomputed after the load).
 */
int store_years(struct sink *s, int from, int to, struct etl_err *err)
{
	struct batch *b = &s->b;
	struct pgw_buf years = {0};
	bool first = true;
	int rc;

	pgw_buf_putc(&years, '{');
	for (int i = from; i < to; i++) {
		bool seen = false;

		if (b->f[i].st != ST_LOADED)
			continue;
		for (int j = from; j < i && !seen; j++)
			seen = b->f[j].st == ST_LOADED && b->f[j].year == b->f[i].year;
		if (!seen)
			pgw_buf_array_elem(&years, first, b->f[i].field[F_YEAR]);
		first = first && seen;
	}
	pgw_buf_putc(&years, '}');
	/* the years into the dimension, and to the aggregates to recompute */
	rc = years.oom ? etl_fail(err, "out_of_memory", 0, NULL, "out of memory")
	               : pgw_exec(s->w,
	                          "WITH y AS (SELECT unnest($1::smallint[]) AS fy),"
	                          " d AS (INSERT INTO core.dim_fiscal_year (fiscal_year)"
	                          " SELECT fy FROM y ON CONFLICT DO NOTHING)"
	                          " INSERT INTO etl.refresh_years (fiscal_year) SELECT fy FROM y"
	                          " ON CONFLICT DO NOTHING",
	                          1, (const char *const[]){years.p}, NULL, err);
	pgw_buf_free(&years);
	return rc;
}

/* ---- replacing tables ------------------------------------------------------------------ */

bool same_submission(const struct file_state *a, const struct file_state *b)
{
	return strcmp(a->field[F_YEAR], b->field[F_YEAR]) == 0 &&
	       strcmp(a->field[F_DEPT], b->field[F_DEPT]) == 0 &&
	       strcmp(a->field[F_STAGE], b->field[F_STAGE]) == 0;
}

/*
 * The replaced tables of one (year, department, stage), whose first loaded
 * file is files[first]: delete their facts (and projects for table 9), and
 * record the new versions in etl.loaded_tables.  Set-based: one statement
 * for all the group's tables.
 */
int store_replace_group(struct sink *s, int first, int to, const long long *ids, int from,
                        struct etl_err *err)
{
	const struct file_state *g = &s->b.f[first];
	struct pgw_buf kinds = {0}, shas = {0}, fids = {0}, scopes = {0};
	bool any = false, has9 = false;
	int rc = 0;

	pgw_buf_putc(&kinds, '{');
	pgw_buf_putc(&shas, '{');
	pgw_buf_putc(&fids, '{');
	pgw_buf_putc(&scopes, '{');
	for (int i = first; i < to; i++) {
		const struct file_state *f = &s->b.f[i];
		char num[24];

		if (f->st != ST_LOADED || !same_submission(f, g))
			continue;
		snprintf(num, sizeof(num), "%lld", ids[i - from]);
		pgw_buf_array_elem(&kinds, !any, f->field[F_KIND]);
		pgw_buf_array_elem(&shas, !any, f->field[F_SHA256]);
		pgw_buf_array_elem(&fids, !any, num);
		pgw_buf_array_elem(&scopes, !any,
		                   strcmp(f->field[F_SCOPE], "unit") == 0 ? "unit" : "department");
		any = true;
		has9 |= f->kind == 9;
	}
	pgw_buf_putc(&kinds, '}');
	pgw_buf_putc(&shas, '}');
	pgw_buf_putc(&fids, '}');
	pgw_buf_putc(&scopes, '}');
	if (kinds.oom || shas.oom || fids.oom || scopes.oom)
		rc = etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	else {
		const char *const p[] = {g->field[F_YEAR], g->field[F_DEPT], g->field[F_STAGE],
		                         kinds.p,          shas.p,           fids.p,
		                         s->run->run_text, scopes.p};

		rc = pgw_exec(
		    s->w,
		    "DELETE FROM core.fact_amount WHERE fiscal_year = $1 AND dept_code = $2"
		    " AND stage = $3 AND table_kind = ANY ($4::smallint[])",
		    4, p, NULL, err);
		if (rc == 0 && has9)
			rc = pgw_exec(s->w,
			              "DELETE FROM core.project_indicator WHERE fiscal_year = $1"
			              " AND dept_code = $2 AND stage = $3",
			              3, p, NULL, err);
		if (rc == 0 && has9)
			rc = pgw_exec(
			    s->w,
			    "DELETE FROM core.project WHERE fiscal_year = $1 AND dept_code = $2"
			    " AND stage = $3",
			    3, p, NULL, err);
		if (rc == 0)
			rc = pgw_exec(
			    s->w,
			    "INSERT INTO etl.loaded_tables (fiscal_year, dept_code, stage, "
			    "table_kind,"
			    " sha256, file_id, run_id, publication_scope)"
			    " SELECT $1, $2, $3, k, s, f, $7, sc"
			    " FROM unnest($4::smallint[], $5::text[], $6::bigint[], $8::text[])"
			    " AS t (k, s, f, sc)"
			    " ON CONFLICT (fiscal_year, dept_code, stage, table_kind) DO UPDATE SET"
			    " sha256 = EXCLUDED.sha256, file_id = EXCLUDED.file_id,"
			    " run_id = EXCLUDED.run_id, loaded_at = now(),"
			    " publication_scope = EXCLUDED.publication_scope",
			    8, p, NULL, err);
	}
	pgw_buf_free(&kinds);
	pgw_buf_free(&shas);
	pgw_buf_free(&fids);
	pgw_buf_free(&scopes);
	return rc;
}

/* ---- the row buffers ------------------------------------------------------------------ */

#define FILE_BUF_MAX ((size_t)1 << 30) /* COPY text of one table */

/* One COPY stream of the loaded files' rows of one target, each after its file_id. */
int store_rows(struct sink *s, enum batch_rows which, int from, int to, const long long *ids,
               struct etl_err *err)
{
	static const char *const sql[ROWS_N] = {copy_facts, copy_projects, copy_indicators};
	struct pgw_buf *rows = batch_rows(&s->b, which);
	struct pgw_copy c;
	bool any = false;

	for (int i = from; i < to && !any; i++) {
		size_t *at = file_range(&s->b.f[i], which);

		any = s->b.f[i].st == ST_LOADED && at[1] > at[0];
	}
	if (!any)
		return 0;
	if (pgw_copy_begin(&c, s->w, sql[which], err) < 0)
		return -1;
	for (int i = from; i < to; i++) {
		struct file_state *f = &s->b.f[i];
		size_t *at = file_range(f, which);
		char prefix[24];
		struct etl_err ignored;

		if (f->st != ST_LOADED || at[1] == at[0])
			continue;
		if (at[1] - at[0] > FILE_BUF_MAX) {
			etl_fail(err, "db_error", 0, NULL, "%s: table larger than %zu MB",
			         f->field[F_PATH], FILE_BUF_MAX >> 20);
			pgw_copy_end(&c, "load failed", &ignored);
			return -1;
		}
		snprintf(prefix, sizeof(prefix), "%lld", ids[i - from]);
		if (pgw_copy_lines(&c, prefix, rows->p + at[0], at[1] - at[0], err) < 0) {
			pgw_copy_end(&c, "load failed", &ignored);
			return -1;
		}
	}
	return pgw_copy_end(&c, NULL, err);
}
