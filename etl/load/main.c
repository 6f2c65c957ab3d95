/*
 * load: the last stage.  Reads the canonical row stream (etl/common/stream.h)
 * and writes it to PostgreSQL with the audit trail of docs/contract.md.
 * Tables (department, year, stage, kind) are written in batches (batch.c),
 * each replaced whole or not at all; a table that is not loaded keeps its
 * old version.  --jobs N: N workers over disjoint departments (workers.c).
 *
 *   load [options] [PATH...]     runs extract PATH... | normalize itself
 *   extract X | normalize | load reads the stream from stdin
 *   load --migrate               applies pending migrations and exits
 *   load --withdraw YEAR DEPT    removes a submission's facts
 *
 * This file holds the order of a run.  The parts are described in load.h.
 * Exit codes: docs/contract.md (sysexits); only main() exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"
#include "log.h"

/* Read etl.conf and departments.csv; returns 0 or 78. */
static int read_config(struct run *r)
{
	char path[PATH_MAX + 32];
	struct etl_err err;
	bool found;

	etl_err_clear(&err);
	config_defaults(&r->cfg);
	snprintf(path, sizeof(path), "%s/etl.conf", r->o->config_dir);
	if (config_load(&r->cfg, path, &found, &err) < 0) {
		log_error("%s", err.message);
		return EX_CONFIG;
	}
	if (r->cfg.unknown[0])
		log_warn("%s: unknown setting %s ignored", path, r->cfg.unknown);
	snprintf(path, sizeof(path), "%s/departments.csv", r->o->config_dir);
	if (dept_registry_load(&r->reg, path, &found, &err) < 0) {
		log_error("%s", err.message);
		return EX_CONFIG;
	}
	return 0;
}

/* Every PATH must exist before anything starts (66). */
static int check_paths(const struct opts *o)
{
	struct stat st;

	for (int i = 0; i < o->npaths; i++)
		if (stat(o->paths[i], &st) != 0) {
			log_error("%s: %s", o->paths[i], strerror(errno));
			return EX_NOINPUT;
		}
	return 0;
}

/* One sink over stdin or one extract | normalize pipeline. */
static int run_one_pipeline(struct run *r)
{
	struct sink s;
	int child[2] = {0, 0}, code;

	if (sink_init(&s, r, true) < 0)
		return r->fatal;
	if (!r->o->dry_run) {
		const char *dsn;

		/* the next batch is read while this one is written */
		config_resolve_dsn(r->o->dsn, getenv, &r->cfg, &dsn);
		batch_overlap(&s, dsn);
	}
	if (r->o->npaths == 0) {
		stream_buffer(stdin);
		sink_read_stream(&s, stdin);
		code = merge_codes(r, s.stream_broken, child);
	} else if (pipeline_load(&s, -1, child) < 0) {
		code = r->fatal;
	} else {
		code = merge_codes(r, s.stream_broken, child);
	}
	sink_free(&s);
	return code;
}

/*
 * The input: stdin, or the PATHs through one extract | normalize, or through
 * --jobs N workers.  A progress bar on stderr when it is a terminal.
 */
static int run_input(struct run *r)
{
	struct filelist l = {0};
	const struct opts *o = r->o;
	bool tty = isatty(2) && !o->quiet;
	int code, jobs = o->jobs > 64 ? 64 : (int)o->jobs;
	long long bytes = 0;

	if (o->npaths > 0 && (tty || (jobs > 1 && !o->dry_run))) {
		if ((code = files_enumerate(o, &l))) {
			files_free(&l);
			return code;
		}
		for (size_t i = 0; i < l.n; i++)
			bytes += l.v[i].bytes;
	}
	r->started = true;
	progress_setup(tty, (long)l.n, bytes);
	if (jobs > 1 && !o->dry_run && l.n > 1 && files_split(&l, jobs)) {
		code = workers_run(r, &l, jobs);
	} else {
		if (jobs > 1 && !o->dry_run && l.n > 1)
			log_info(
			    "--jobs %d: files outside the <year>/<dept>/ layout, or a submission"
			    " folder met twice: one pipeline keeps their order",
			    jobs);
		code = run_one_pipeline(r);
	}
	progress_finish();
	files_free(&l);
	return code;
}

/* Everything after the options: the exit code. */
static int run(struct run *r, int argc, char **argv)
{
	int code;

	if ((code = read_config(r)))
		return code;
	if (r->o->print_dsn_source)
		return run_print_dsn_source(r);
	if (r->o->psql)
		return run_exec_psql(r);
	if (!r->o->withdraw && (code = check_paths(r->o)))
		return code;
	if (r->o->dry_run)
		return run_input(r);
	if ((code = run_db_open(r)))
		return code;
	if (r->o->migrate)
		return EX_OK;
	if (run_begin(r, argc, argv) < 0)
		return r->fatal;
	if (r->o->withdraw)
		code = run_withdraw(r, r->o->paths[0], r->o->paths[1], r->o->stage) < 0 ? r->fatal
		                                                                        : EX_OK;
	else if (run_sync_reference(r) < 0)
		code = r->fatal;
	else {
		code = run_input(r);
		if (!r->fatal && !got_signal && run_refresh(r) < 0)
			code = r->fatal;
	}
	if (got_signal)
		code = EX_INTERRUPTED_BASE + got_signal;
	run_end(r, code);
	return code;
}

static void run_free(struct run *r)
{
	tally_free(&r->t);
	dept_registry_free(&r->reg);
	if (cancel_handle) {
		PGcancel *c = cancel_handle;

		cancel_handle = NULL;
		PQfreeCancel(c);
	}
	if (r->connected)
		pgw_close(&r->w);
	pgw_close(&r->lock);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int code;

	log_init("load", false, true);
	if ((code = cli_parse(argc, argv, &o)))
		return code < 0 ? EX_OK : code;
	if (cli_locate(&o) < 0)
		return EX_SOFTWARE;
	log_init("load", o.quiet, true);
	install_signals();
	memset(&r, 0, sizeof(r));
	r.o = &o;
	if (!getcwd(r.cwd, sizeof(r.cwd)))
		r.cwd[0] = '\0';
	code = run(&r, argc, argv);
	if (got_signal) {
		code = EX_INTERRUPTED_BASE + got_signal;
		log_error("interrupted by signal %d: the table in flight was rolled back",
		          (int)got_signal);
	}
	if (r.started && !o.dry_run && r.w.conn && PQstatus(r.w.conn) == CONNECTION_OK &&
	    !got_signal)
		run_report_shared_names(&r);
	if (r.started)
		summary_print(&r, code);
	run_free(&r);
	return code;
}
