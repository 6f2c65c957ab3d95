/*
 * runrow: the database side of a run that is not a table: the connection,
 * the run lock, migrations, the etl.runs row, the refresh of the marts,
 * withdrawals and the reference dimensions.  All on the run's own
 * connection (struct run), never a worker's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"
#include "migrate.h"
#include "refsync.h"

int run_stop(struct run *r, int code, const char *fmt, ...)
{
	char msg[ETL_ERR_MSG + PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!r->fatal)
		r->fatal = code;
	log_error("%s", msg);
	return -1;
}

int db_code(const struct etl_err *err)
{
	if (got_signal)
		return EX_INTERRUPTED_BASE + got_signal;
	if (pgw_unavailable(err))
		return EX_UNAVAILABLE;
	if (pgw_timeout(err))
		return EX_TEMPFAIL;
	if (strcmp(err->reason, "db_denied") == 0 || strcmp(err->reason, "bad_config") == 0)
		return EX_CONFIG;
	return EX_SOFTWARE;
}

int run_db_fail_on(struct run *r, struct pgw *w, const struct etl_err *err)
{
	char holders[1024];
	struct etl_err ignored;

	if (!pgw_timeout(err) || got_signal)
		return run_stop(r, db_code(err), "%s", err->message);
	/* a lock or statement timeout: say what was waited for, and who holds locks */
	pgw_rollback(w);
	if (pgw_lock_holders(w, holders, sizeof(holders), &ignored) < 0 || !holders[0])
		snprintf(holders, sizeof(holders),
		         "no other session holds a lock on the pipeline's "
		         "tables now");
	return run_stop(r, EX_TEMPFAIL,
	                "%s; waited (lock_timeout %s, or the server's statement_timeout): %s; "
	                "try again later",
	                err->message, r->cfg.lock_timeout, holders);
}

int run_db_fail(struct run *r, const struct etl_err *err)
{
	return run_db_fail_on(r, &r->w, err);
}

/*
 * The run lock: a connection of its own holding row 1 of etl.run_lock (only
 * the loader role may); 0, or 75 naming the holder.
 */
static int take_run_lock(struct run *r, const char *dsn)
{
	struct etl_err err;
	char holder[512];
	bool got;

	etl_err_clear(&err);
	if (pgw_connect_as(&r->lock, dsn, "budget-etl load (run lock)", &err) < 0) {
		log_error("database unavailable: %s", err.message);
		return EX_UNAVAILABLE;
	}
	if (r->o->wait)
		log_info("waiting for the run lock (--wait)");
	if (pgw_run_lock(&r->lock, r->o->wait, &got, holder, sizeof(holder), &err) < 0) {
		if (strcmp(err.reason, "db_denied") == 0)
			log_error(
			    "run lock: %s; this role may not write: load as budget_loader, or "
			    "run ./run.sh migrate with a privileged role if the schema is not "
			    "current",
			    err.message);
		else
			log_error("run lock: %s", err.message);
		return db_code(&err);
	}
	if (!got) {
		log_error("another load holds the lock (%s); try later, or use --wait",
		          holder[0] ? holder : "its session ended meanwhile");
		return EX_TEMPFAIL;
	}
	return 0;
}

/* Apply what sql/ has pending; 0 or the exit code (said why). */
static int migrate(struct run *r)
{
	struct migrate_result mr;
	struct etl_err err;

	etl_err_clear(&err);
	if (migrate_run(&r->w, r->o->sql_dir, &mr, &err) < 0) {
		log_error("migration: %s", err.message);
		return db_code(&err);
	}
	if (mr.adopted)
		log_info(
		    "recorded the checksums of %d migration%s applied before checksums existed",
		    mr.adopted, mr.adopted == 1 ? "" : "s");
	if (mr.applied)
		log_info("applied %d migration%s from %s/migrations", mr.applied,
		         mr.applied == 1 ? "" : "s", r->o->sql_dir);
	if (mr.views_applied)
		log_info("applied the views of %s/views", r->o->sql_dir);
	return 0;
}

int run_db_open(struct run *r)
{
	const char *dsn;
	enum dsn_source src = config_resolve_dsn(r->o->dsn, getenv, &r->cfg, &dsn);
	struct etl_err err;
	char where[512], v[8];
	int code;
	bool bootstrap;

	etl_err_clear(&err);
	if (src == DSN_NONE) {
		log_error("no database configured: run ./run.sh load (it starts the embedded "
		          "cluster) or give --dsn DSN (or ETL_DSN, PG* variables, [database] dsn "
		          "in config/etl.conf)");
		return EX_CONFIG;
	}
	if (pgw_connect(&r->w, dsn, &err) < 0) {
		log_error("database (%s) unavailable: %s", dsn_source_name(src), err.message);
		return EX_UNAVAILABLE;
	}
	r->connected = true;
	cancel_handle = PQgetCancel(r->w.conn);
	log_info("connected to %s (%s)", pgw_describe(&r->w, where, sizeof(where)),
	         dsn_source_name(src));
	if (pgw_set_lock_timeout(&r->w, r->cfg.lock_timeout, &err) < 0 ||
	    pgw_query_value(&r->w, "SELECT to_regclass('etl.run_lock') IS NULL", 0, NULL, v,
	                    sizeof(v), &err) < 0) {
		log_error("%s", err.message);
		return db_code(&err);
	}
	/* a database without etl.run_lock yet: an advisory lock guards its creation */
	bootstrap = strcmp(v, "t") == 0;
	if (bootstrap && pgw_bootstrap_lock(&r->w, true, &err) < 0) {
		log_error("%s", err.message);
		return db_code(&err);
	}
	if (!bootstrap && (code = take_run_lock(r, dsn)))
		return code;
	if ((code = migrate(r)))
		return code;
	if (bootstrap &&
	    ((code = take_run_lock(r, dsn)) || pgw_bootstrap_lock(&r->w, false, &err) < 0)) {
		if (!code)
			log_error("%s", err.message);
		return code ? code : db_code(&err);
	}
	return 0;
}

/* The options as text for etl.runs: --dsn's value without its password. */
static char *options_text(int argc, char **argv)
{
	char *buf = NULL, safe[1024];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--dsn") == 0 && i + 1 < argc) {
			fprintf(f, "%s--dsn %s", i > 1 ? " " : "",
			        pgw_redact_conninfo(argv[i + 1], safe, sizeof(safe)));
			i++;
			continue;
		}
		if (i > 1)
			putc(' ', f);
		if (strncmp(a, "--dsn=", 6) == 0)
			fprintf(f, "--dsn=%s", pgw_redact_conninfo(a + 6, safe, sizeof(safe)));
		else
			fputs(a, f);
	}
	fclose(f);
	return buf;
}

int run_begin(struct run *r, int argc, char **argv)
{
	char *opts = options_text(argc, argv);
	const char *const p[] = {opts ? opts : ""};
	struct etl_err err;
	int rc =
	    pgw_query_value(&r->w, "INSERT INTO etl.runs (options) VALUES ($1) RETURNING run_id", 1,
	                    p, r->run_text, sizeof(r->run_text), &err);

	free(opts);
	if (rc < 0)
		return run_db_fail(r, &err);
	r->run_id = strtoll(r->run_text, NULL, 10);
	log_set_run(r->run_id);
	return 0;
}

/* Record how the run ended (best effort: the server may be gone). */
void run_end(struct run *r, int code)
{
	const struct tally *t = &r->t;
	char v[10][24];
	const char *p[10];
	struct etl_err err;
	const long long x[10] = {
	    r->run_id,         code,         t->files_seen,  t->files_loaded,  t->files_unchanged,
	    t->files_rejected, t->rows_read, t->rows_loaded, t->rows_rejected, t->files_skipped};

	if (!r->connected || !r->run_text[0] || PQstatus(r->w.conn) != CONNECTION_OK)
		return;
	for (int i = 0; i < 10; i++) {
		snprintf(v[i], sizeof(v[i]), "%lld", x[i]);
		p[i] = v[i];
	}
	pgw_rollback(&r->w); /* in case a transaction was left open */
	if (pgw_exec(&r->w,
	             "UPDATE etl.runs SET finished_at = now(), exit_code = $2, files_seen = $3,"
	             " files_loaded = $4, files_unchanged = $5, files_rejected = $6,"
	             " rows_read = $7, rows_loaded = $8, rows_rejected = $9, files_skipped = $10"
	             " WHERE run_id = $1",
	             10, p, NULL, &err) < 0)
		log_warn("could not record the end of the run: %s", err.message);
}

/*
 * Refresh the marts when a load (this one or a killed one) left
 * refresh_pending: the aggregates of the years in etl.refresh_years only
 * (every year when 0 is among them), in one transaction with clearing them.
 * etl.refresh_marts may not exist yet (then skipped).
 */
int run_refresh(struct run *r)
{
	struct etl_err err;
	char v[64], years[4096];
	const char *p[1];

	if (pgw_query_value(&r->w, "SELECT value FROM etl.state WHERE key = 'refresh_pending'", 0,
	                    NULL, v, sizeof(v), &err) < 0)
		return run_db_fail(r, &err);
	if (!*v)
		return 0;
	if (pgw_query_value(&r->w,
	                    "SELECT to_regprocedure('etl.refresh_marts(smallint[])') IS NOT NULL",
	                    0, NULL, v, sizeof(v), &err) < 0 ||
	    pgw_query_value(&r->w,
	                    "SELECT CASE WHEN bool_or(fiscal_year = 0) THEN '' ELSE"
	                    " coalesce(array_agg(fiscal_year ORDER BY fiscal_year)::text, '') END"
	                    " FROM etl.refresh_years",
	                    0, NULL, years, sizeof(years), &err) < 0)
		return run_db_fail(r, &err);
	p[0] = *years ? years : NULL; /* NULL: every year */
	if (pgw_begin(&r->w, &err) < 0 ||
	    (strcmp(v, "t") == 0 &&
	     pgw_exec(&r->w, "SELECT etl.refresh_marts($1::smallint[])", 1, p, NULL, &err) < 0) ||
	    pgw_exec(&r->w, "DELETE FROM etl.refresh_years", 0, NULL, NULL, &err) < 0 ||
	    pgw_exec(&r->w, "DELETE FROM etl.state WHERE key = 'refresh_pending'", 0, NULL, NULL,
	             &err) < 0 ||
	    pgw_commit(&r->w, &err) < 0) {
		pgw_rollback(&r->w);
		return run_db_fail(r, &err);
	}
	if (strcmp(v, "t") == 0)
		log_info("refreshed the marts (%s)", *years ? years : "every year");
	return 0;
}

/* The deletes and the record of a withdrawal of one stage; *removed counts the facts. */
static int withdraw_tx(struct run *r, const char *year, const char *dept, const char *stage,
                       char removed[24], struct etl_err *err)
{
	static const char *const more[] = {
	    "DELETE FROM core.project_indicator WHERE fiscal_year = $1 AND dept_code = $2"
	    " AND stage = $3",
	    "DELETE FROM core.project WHERE fiscal_year = $1 AND dept_code = $2 AND stage = $3",
	    "DELETE FROM etl.loaded_tables WHERE fiscal_year = $1 AND dept_code = $2"
	    " AND stage = $3",
	};
	const char *const p[] = {year, dept, stage};
	const char *const pw[] = {r->run_text, year, dept, removed, stage};
	PGresult *res;

	if (pgw_exec(&r->w,
	             "DELETE FROM core.fact_amount WHERE fiscal_year = $1 AND dept_code = $2"
	             " AND stage = $3",
	             3, p, &res, err) < 0)
		return -1;
	snprintf(removed, 24, "%s", PQcmdTuples(res));
	PQclear(res);
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (pgw_exec(&r->w, more[i], 3, p, NULL, err) < 0)
			return -1;
	if (pgw_exec(
	        &r->w,
	        "INSERT INTO etl.withdrawals (run_id, fiscal_year, dept_code, facts_removed, stage)"
	        " VALUES ($1, $2, $3, $4, $5)",
	        5, pw, NULL, err) < 0)
		return -1;
	{
		char years[16];

		snprintf(years, sizeof(years), "{%s}", year);
		return pgw_mark_refresh(&r->w, "withdraw", years, err);
	}
}

/*
 * The stages of year/dept with anything loaded, comma-separated, into buf
 * ("" when none).
 */
static int loaded_stages(struct run *r, const char *year, const char *dept, char *buf, size_t size,
                         struct etl_err *err)
{
	const char *const p[] = {year, dept};

	return pgw_query_value(&r->w,
	                       "SELECT coalesce(string_agg(stage, ',' ORDER BY stage), '') FROM ("
	                       " SELECT stage FROM etl.loaded_tables"
	                       " WHERE fiscal_year = $1 AND dept_code = $2"
	                       " UNION SELECT stage FROM core.fact_amount"
	                       " WHERE fiscal_year = $1 AND dept_code = $2) s",
	                       2, p, buf, size, err);
}

int run_withdraw(struct run *r, const char *year, const char *dept, const char *stage)
{
	char removed[24] = "0", stages[64] = "";
	struct etl_err err;

	etl_err_clear(&err);
	if (loaded_stages(r, year, dept, stages, sizeof(stages), &err) < 0)
		return run_db_fail(r, &err);
	if (!stage && strchr(stages, ','))
		return run_stop(r, EX_USAGE,
		                "%s/%s has more than one stage loaded (%s): say which to withdraw "
		                "with --stage",
		                year, dept, stages);
	if (!stage)
		stage = *stages ? stages : "budget";
	if (pgw_begin(&r->w, &err) < 0 || withdraw_tx(r, year, dept, stage, removed, &err) < 0 ||
	    pgw_commit(&r->w, &err) < 0) {
		pgw_rollback(&r->w);
		return run_db_fail(r, &err);
	}
	if (strcmp(removed, "0") == 0)
		log_warn("nothing was loaded for %s/%s (%s); the withdrawal is recorded", year,
		         dept, stage);
	else
		log_info(
		    "withdrew %s/%s (%s): %s facts removed (kept in etl.files and etl.rejects)",
		    year, dept, stage, removed);
	return run_refresh(r);
}

/* Sync the reference dimensions at the start of a writing run. */
int run_sync_reference(struct run *r)
{
	struct etl_err err;
	bool synced;

	etl_err_clear(&err);
	if (refsync_run(&r->w, r->o->config_dir, &r->reg, &r->cfg, r->o->force, &synced, &err) < 0)
		return run_db_fail(r, &err);
	if (synced)
		log_info("reference data reloaded from %s", r->o->config_dir);
	return 0;
}

/*
 * docs/contract.md: two different codes claiming one name are reported.  Departments
 * get renamed, so this is a warning for the operator, never a rejection.
 */
void run_report_shared_names(struct run *r)
{
	struct etl_err err;
	PGresult *res = NULL;

	etl_err_clear(&err);
	if (pgw_exec(&r->w,
	             "SELECT dept_name || '：' || string_agg(dept_code, '、' ORDER BY dept_code)"
	             " FROM core.dim_department GROUP BY dept_name HAVING count(*) > 1"
	             " ORDER BY 1",
	             0, NULL, &res, &err) < 0)
		return;
	for (int i = 0; i < PQntuples(res); i++)
		log_warn("one department name, several codes (check config/departments.csv): %s",
		         PQgetvalue(res, i, 0));
	PQclear(res);
}

int run_print_dsn_source(struct run *r)
{
	static const char *const names[] = {"--dsn",  "ETL_DSN",  "PG*",
	                                    "config", "embedded", "none"};
	const char *dsn;
	enum dsn_source src = config_resolve_dsn(r->o->dsn, getenv, &r->cfg, &dsn);

	printf("%s\n", names[src]);
	return EX_OK;
}

int run_exec_psql(struct run *r)
{
	const char *dsn;
	enum dsn_source src = config_resolve_dsn(r->o->dsn, getenv, &r->cfg, &dsn);
	char **argv = calloc((size_t)r->o->npaths + 2, sizeof(char *));
	char *errmsg = NULL;
	PQconninfoOption *opts;

	if (!argv)
		return EX_OSERR;
	if (src == DSN_NONE) {
		log_error("no database configured (see --help)");
		free(argv);
		return EX_CONFIG;
	}
	if (*dsn) {
		if (!(opts = PQconninfoParse(dsn, &errmsg))) {
			log_error("the DSN cannot be read: %s", errmsg ? errmsg : "out of memory");
			PQfreemem(errmsg);
			free(argv);
			return EX_CONFIG;
		}
		/* every keyword that has a variable: PGHOST, PGPORT, PGPASSWORD ... */
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (o->val && *o->val && o->envvar)
				setenv(o->envvar, o->val, 1);
		PQconninfoFree(opts);
	}
	argv[0] = (char *)"psql";
	for (int i = 0; i < r->o->npaths; i++)
		argv[i + 1] = r->o->paths[i];
	execvp("psql", argv);
	log_error("cannot run psql: %s", strerror(errno));
	free(argv);
	return EX_UNAVAILABLE;
}
