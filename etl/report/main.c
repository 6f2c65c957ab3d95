/*
 * report: the review report, a static site for the person who acts on a
 * load: the departments to call (rejected tables, checks that do not add
 * up) and where the money goes (docs/contract.md "The review report").
 *
 *   report [--dsn DSN] [--out DIR] [--year YEAR]
 *
 * Connects as load does (--dsn, ETL_DSN, PG*, config/etl.conf, the embedded
 * cluster of ./run.sh), takes the rights of budget_reader (SET ROLE), reads
 * schema mart in one read-only snapshot (model.h) and writes DIR (pages.h).
 *
 * Exit codes (sysexits): 0 written; 64 bad usage; 69 the database is
 * unavailable; 70 internal error; 73 DIR or a file in it cannot be
 * written; 78 bad configuration: no database, a login role that may not
 * read as budget_reader, views older than this program (run migrate).
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "model.h"
#include "pages.h"
#include "paths.h"
#include "pgread.h"

struct opts {
	const char *dsn;
	const char *out;
	const char *year;
	const char *config_dir;
	bool quiet;
	bool print_dsn_source;
};

static void usage(FILE *out)
{
	fputs("usage: report [--dsn DSN] [--out DIR] [--year YEAR]\n"
	      "Writes the review report, a static site, into DIR: index.html (the last run,\n"
	      "the departments of each year, charts) and YEAR/DEPT_CODE.html and .csv (each\n"
	      "department's feedback sheet).  Reads schema mart with budget_reader's rights.\n"
	      "  --dsn DSN         database (else ETL_DSN, the PG* variables, config/etl.conf,\n"
	      "                    the embedded cluster of ./run.sh)\n"
	      "  --out DIR         where to write (default report)\n"
	      "  --year YEAR       only that fiscal year\n"
	      "  --config-dir DIR  configuration (default $ETL_HOME/config)\n"
	      "  --quiet           print only problems\n"
	      "  --print-dsn-source  say where the database comes from (--dsn, ETL_DSN, PG*,\n"
	      "                    config, embedded, none) and exit\n",
	      out);
}

static bool is_year(const char *s)
{
	long y;
	char *end;

	if (strlen(s) != 4)
		return false;
	y = strtol(s, &end, 10);
	return *end == '\0' && y >= 1990 && y <= 2100;
}

/* 0, -1 for --help, or EX_USAGE. */
static int parse(int argc, char **argv, struct opts *o)
{
	enum { OPT_DSN = 256, OPT_OUT, OPT_YEAR, OPT_CONFIG_DIR, OPT_PRINT_DSN };
	static const struct option longopts[] = {
	    {"dsn", required_argument, NULL, OPT_DSN},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"year", required_argument, NULL, OPT_YEAR},
	    {"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	    {"quiet", no_argument, NULL, 'q'},
	    {"print-dsn-source", no_argument, NULL, OPT_PRINT_DSN},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->out = "report";
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DSN: o->dsn = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_YEAR: o->year = optarg; break;
		case OPT_CONFIG_DIR: o->config_dir = optarg; break;
		case 'q': o->quiet = true; break;
		case OPT_PRINT_DSN: o->print_dsn_source = true; break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (o->print_dsn_source)
		return 0; /* the rest of the command line is what run.sh is about to run */
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	if (o->year && !is_year(o->year)) {
		log_error("--year needs a year from 1990 to 2100, not \"%s\"", o->year);
		return EX_USAGE;
	}
	if (!*o->out) {
		log_error("--out needs a folder");
		return EX_USAGE;
	}
	return 0;
}

/* The exit code for a database error (pgread.h's reasons). */
static int db_code(const struct etl_err *err)
{
	if (strcmp(err->reason, "db_unavailable") == 0)
		return EX_UNAVAILABLE;
	if (strcmp(err->reason, "db_denied") == 0)
		return EX_CONFIG;
	if (strcmp(err->reason, "db_schema") == 0)
		return EX_CONFIG;
	return EX_SOFTWARE;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run(const struct opts *o)
{
	struct etl_config cfg;
	struct etl_err err;
	struct pgr c;
	struct site s;
	struct pages_stats st;
	struct timespec t0;
	char config_dir[PATH_MAX], path[PATH_MAX + 16], where[512];
	const char *dsn;
	enum dsn_source src;
	bool found;
	int code = EX_OK;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	etl_err_clear(&err);
	if (o->config_dir)
		snprintf(config_dir, sizeof(config_dir), "%s", o->config_dir);
	else
		paths_config_dir(config_dir, sizeof(config_dir));
	config_defaults(&cfg);
	snprintf(path, sizeof(path), "%s/etl.conf", config_dir);
	if (config_load(&cfg, path, &found, &err) < 0) {
		log_error("%s", err.message);
		return EX_CONFIG;
	}
	src = config_resolve_dsn(o->dsn, getenv, &cfg, &dsn);
	if (o->print_dsn_source) {
		puts(dsn_source_name(src));
		return EX_OK;
	}
	if (src == DSN_NONE) {
		log_error("no database configured: run ./run.sh report (it starts the embedded "
		          "cluster) or give --dsn DSN (or ETL_DSN, PG* variables, [database] dsn "
		          "in config/etl.conf)");
		return EX_CONFIG;
	}
	if (pgr_connect(&c, dsn, &err) < 0) {
		log_error("database (%s) unavailable: %s", dsn_source_name(src), err.message);
		return EX_UNAVAILABLE;
	}
	log_info("connected to %s (%s)", pgr_describe(&c, where, sizeof(where)),
	         dsn_source_name(src));
	if (pgr_begin_as_reader(&c, &err) < 0) {
		log_error("%s", err.message);
		pgr_close(&c);
		return db_code(&err);
	}
	if (model_read(&s, &c, o->year, &err) < 0) {
		if (strcmp(err.reason, "db_schema") == 0)
			log_error("%s; the database's views are older than this program: run "
			          "./run.sh migrate (or a load) first",
			          err.message);
		else
			log_error("%s", err.message);
		code = db_code(&err);
	}
	pgr_close(&c); /* everything is read: the snapshot can go */
	if (code == EX_OK && pages_write(&s, o->out, &st, &err) < 0) {
		log_error("%s", err.message);
		code = EX_CANTCREAT;
	}
	if (code == EX_OK) {
		if (st.no_sheet)
			log_warn("%d department%s without a sheet: the code cannot name a file",
			         st.no_sheet, st.no_sheet == 1 ? "" : "s");
		if (!o->quiet)
			printf(
			    "report: %s/index.html, %d department sheet%s (.html and .csv) in %d "
			    "year%s, %.1f MB in %.2f s\n",
			    o->out, st.sheets, st.sheets == 1 ? "" : "s", st.years,
			    st.years == 1 ? "" : "s", (double)st.bytes / 1e6, seconds_since(&t0));
	}
	model_free(&s);
	return code;
}

int main(int argc, char **argv)
{
	struct opts o;
	int code;

	log_init("report", false, false);
	if ((code = parse(argc, argv, &o)))
		return code < 0 ? EX_OK : code;
	log_init("report", o.quiet, false);
	return run(&o);
}
