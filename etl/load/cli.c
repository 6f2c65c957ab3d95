/*
 * cli: load's command line and where its files are.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "log.h"
#include "paths.h"

static void usage(FILE *out)
{
	fputs("usage: load [options] [PATH...]\n"
	      "       load --migrate [--dsn DSN]\n"
	      "       load --withdraw YEAR DEPT_CODE [--stage budget|adjusted|final] [--dsn DSN]\n"
	      "Loads budget tables into PostgreSQL.  With PATHs (files or folders of .csv and\n"
	      ".csv.gz) it runs extract and normalize itself; without, it reads their stream\n"
	      "from standard input.\n"
	      "  --dsn DSN         database (else ETL_DSN, the PG* variables, config/etl.conf,\n"
	      "                    the embedded cluster of ./run.sh)\n"
	      "  --dry-run         extract, normalize and check; write nothing\n"
	      "  --jobs N          N workers over disjoint departments, each with its own\n"
	      "                    extract | normalize and connection (README \"Performance\")\n"
	      "  --accept-partial  load the good rows of a table that has rejected rows\n"
	      "  --strict-checks   reject a whole submission that fails a check\n"
	      "  --force           reprocess files even when unchanged\n"
	      "  --quiet           print only problems\n"
	      "  --wait            wait for another run's lock instead of exiting 75\n"
	      "  --config-dir DIR  configuration (default $ETL_HOME/config)\n"
	      "  --migrate         apply pending migrations and exit\n"
	      "  --withdraw        remove the facts of submission YEAR DEPT_CODE\n"
	      "  --stage STAGE     with --withdraw: only that stage (needed when both a budget\n"
	      "                    and a 决算 of that year and department are loaded)\n"
	      "  --psql [-- ARGS]  run psql on the database (secrets passed in the environment)\n"
	      "  --print-dsn-source  say where the database comes from (--dsn, ETL_DSN, PG*,\n"
	      "                    config, embedded, none) and exit\n",
	      out);
}

/* Digits only, of length between min and max. */
static bool digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Combinations that make no sense; prints why and returns EX_USAGE. */
static int check_usage(const struct opts *o)
{
	const char *bad = NULL;

	if (o->print_dsn_source)
		return 0; /* the rest of the command line is what run.sh is about to run */
	if (o->psql && (o->migrate || o->withdraw || o->dry_run))
		bad = "--psql goes alone";
	else if (o->migrate && (o->withdraw || o->npaths || o->dry_run))
		bad = "--migrate takes no PATH and no --withdraw or --dry-run";
	else if (o->withdraw &&
	         (o->npaths != 2 || !digits(o->paths[0], 4, 4) || !digits(o->paths[1], 1, 31)))
		bad = "--withdraw needs YEAR (4 digits) and DEPT_CODE (digits)";
	else if (o->withdraw && o->dry_run)
		bad = "--withdraw cannot be a dry run";
	else if (o->stage && !o->withdraw)
		bad = "--stage goes with --withdraw";
	else if (o->stage && strcmp(o->stage, "budget") != 0 && strcmp(o->stage, "adjusted") != 0 &&
	         strcmp(o->stage, "final") != 0)
		bad = "--stage is budget, adjusted or final";
	if (!bad)
		return 0;
	log_error("%s", bad);
	usage(stderr);
	return EX_USAGE;
}

int cli_parse(int argc, char **argv, struct opts *o)
{
	enum { OPT_DSN = 256, OPT_JOBS, OPT_CONFIG_DIR, OPT_PSQL, OPT_PRINT_DSN, OPT_STAGE };
	static const struct option longopts[] = {
	    {"dsn", required_argument, NULL, OPT_DSN},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"jobs", required_argument, NULL, OPT_JOBS},
	    {"accept-partial", no_argument, NULL, 'p'},
	    {"strict-checks", no_argument, NULL, 's'},
	    {"force", no_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"wait", no_argument, NULL, 'w'},
	    {"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	    {"migrate", no_argument, NULL, 'm'},
	    {"withdraw", no_argument, NULL, 'W'},
	    {"stage", required_argument, NULL, OPT_STAGE},
	    {"psql", no_argument, NULL, OPT_PSQL},
	    {"print-dsn-source", no_argument, NULL, OPT_PRINT_DSN},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DSN: o->dsn = optarg; break;
		case 'n': o->dry_run = true; break;
		case OPT_JOBS:
			errno = 0;
			o->jobs = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->jobs < 1 || o->jobs > 1024) {
				log_error("--jobs needs a number from 1 to 1024, not \"%s\"",
				          optarg);
				return EX_USAGE;
			}
			break;
		case 'p': o->accept_partial = true; break;
		case 's': o->strict = true; break;
		case 'f': o->force = true; break;
		case 'q': o->quiet = true; break;
		case 'w': o->wait = true; break;
		case OPT_CONFIG_DIR: o->config_dir_opt = optarg; break;
		case 'm': o->migrate = true; break;
		case 'W': o->withdraw = true; break;
		case OPT_STAGE: o->stage = optarg; break;
		case OPT_PSQL: o->psql = true; break;
		case OPT_PRINT_DSN: o->print_dsn_source = true; break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EX_USAGE;
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	return check_usage(o);
}

/*
 * Where things are: bindir from /proc/self/exe; the home from paths_home();
 * config/ and sql/ under it (config from --config-dir when given).
 */
int cli_locate(struct opts *o)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0) {
		log_error("cannot find my own path: %s", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	snprintf(o->bindir, sizeof(o->bindir), "%s", dirname(exe));
	paths_home(o->home, sizeof(o->home));
	if (o->config_dir_opt)
		snprintf(o->config_dir, sizeof(o->config_dir), "%s", o->config_dir_opt);
	else
		snprintf(o->config_dir, sizeof(o->config_dir), "%s/config", o->home);
	snprintf(o->sql_dir, sizeof(o->sql_dir), "%s/sql", o->home);
	return 0;
}
