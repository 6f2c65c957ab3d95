/*
 * load: the last stage.  Reads the canonical row stream (etl/stream.h) and
 * writes it to PostgreSQL with the audit trail of CONTRACT.md.  Tables
 * (department, year, stage, kind) are written in batches: one transaction
 * per batch (BATCH_FILES files, BATCH_BYTES of rows or BATCH_SECONDS, and
 * never the same table twice), with set-based deletes and one COPY stream
 * per target table.  Each table is still replaced whole or not at all, and a
 * table that is not loaded keeps its old version.  --jobs N: N workers over
 * disjoint departments, each with its own extract | normalize and connection;
 * this process keeps the run row, the lock and the refresh.
 *
 *   load [options] [PATH...]     runs extract PATH... | normalize itself
 *   extract X | normalize | load reads the stream from stdin
 *   load --migrate               applies pending migrations and exits
 *   load --withdraw YEAR DEPT    removes a submission's facts
 *
 * Exit codes: CONTRACT.md's table (sysexits); only main() exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "paths.h"
#include "pgwriter.h"
#include "refsync.h"
#include "log.h"
#include "stream.h"
#include "textnorm.h"

#define EX_INTERRUPTED_BASE 128
#define MAX_LISTED          200 /* failed checks and unregistered names kept for the summary */
#define MAX_SUBMISSIONS     4096
#define FILE_BUF_MAX        ((size_t)1 << 30) /* COPY text of one table */
/*
 * A batch of tables is written in one transaction when it reaches any of
 * these (README "Performance"): files, bytes of COPY text, seconds since its
 * first file.  Buffers larger than BATCH_KEEP are given back after a batch.
 */
#define BATCH_FILES   500
#define BATCH_BYTES   ((size_t)8 << 20)
#define BATCH_SECONDS 2.0
#define BATCH_KEEP    ((size_t)16 << 20)

static volatile sig_atomic_t got_signal;
static PGcancel *volatile cancel_handle;

/* SIGINT/SIGTERM: remember, and cancel the statement in flight (psql does so). */
static void on_signal(int sig)
{
	PGcancel *c = cancel_handle;

	if (!got_signal)
		got_signal = sig;
	if (c) {
		char errbuf[256];

		PQcancel(c, errbuf, sizeof(errbuf));
	}
}

/* Options ------------------------------------------------------------------- */

struct opts {
	const char *dsn;
	bool dry_run, accept_partial, strict, force, quiet, wait, migrate, withdraw;
	long jobs;
	const char *config_dir_opt;
	char **paths;
	int npaths;
	char bindir[PATH_MAX];
	char home[PATH_MAX];
	char config_dir[PATH_MAX];
	char sql_dir[PATH_MAX];
};

static void usage(FILE *out)
{
	fputs("usage: load [options] [PATH...]\n"
	      "       load --migrate [--dsn DSN]\n"
	      "       load --withdraw YEAR DEPT_CODE [--dsn DSN]\n"
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
	      "  --withdraw        remove the facts of submission YEAR DEPT_CODE\n",
	      out);
}

enum { OPT_DSN = 256, OPT_JOBS, OPT_CONFIG_DIR };

/* Parse argv into o; returns 0, or -1 after printing why (exit 64). */
static int parse_options(int argc, char **argv, struct opts *o)
{
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
				fprintf(stderr,
				        "load: --jobs needs a number from 1 to 1024, not \"%s\"\n",
				        optarg);
				return -1;
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
		case 'h': usage(stdout); exit(EX_OK);
		default: usage(stderr); return -1;
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	return 0;
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

/* Combinations that make no sense; prints why and returns -1 (exit 64). */
static int check_usage(const struct opts *o)
{
	const char *bad = NULL;

	if (o->migrate && (o->withdraw || o->npaths || o->dry_run))
		bad = "--migrate takes no PATH and no --withdraw or --dry-run";
	else if (o->withdraw &&
	         (o->npaths != 2 || !digits(o->paths[0], 4, 4) || !digits(o->paths[1], 1, 31)))
		bad = "--withdraw needs YEAR (4 digits) and DEPT_CODE (digits)";
	else if (o->withdraw && o->dry_run)
		bad = "--withdraw cannot be a dry run";
	if (bad) {
		fprintf(stderr, "load: %s\n", bad);
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * Where things are: bindir from /proc/self/exe; the home from paths_home();
 * config/ and sql/ under it (config from --config-dir when given).
 */
static int locate(struct opts *o)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0) {
		fprintf(stderr, "load: cannot find my own path: %s\n", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	snprintf(o->bindir, sizeof(o->bindir), "%s", dirname(exe));
	paths_home(o->home, sizeof(o->home));
	snprintf(o->config_dir, sizeof(o->config_dir), "%s",
	         o->config_dir_opt ? o->config_dir_opt : o->home);
	if (!o->config_dir_opt)
		strncat(o->config_dir, "/config",
		        sizeof(o->config_dir) - strlen(o->config_dir) - 1);
	snprintf(o->sql_dir, sizeof(o->sql_dir), "%s/sql", o->home);
	return 0;
}

/* The loader's state ---------------------------------------------------------- */

struct submission {
	int year;
	char dept[64];
};

enum file_status { ST_LOADED, ST_UNCHANGED, ST_REJECTED };

/*
 * A file: what is known of it between its F and its E, then, in the batch,
 * until its transaction commits.  Its fact, project and indicator rows are
 * in the batch's buffers at [*_at[0], *_at[1]), without their file_id.
 */
struct file_state {
	bool open;
	char *field[F_NFIELDS]; /* owned copies of the F fields */
	char *abspath;          /* owned */
	int year, kind;
	long nrows;      /* R records */
	long nrejects;   /* J records */
	bool whole_file; /* a J with line 0 */
	int project_no, indicator_no;
	size_t facts_at[2], projects_at[2], indicators_at[2];
	struct pgw_buf rejects; /* its etl.rejects rows, after run_id */
	long e[E_STATUS];
	enum file_status st;
};

/* sha256 of a loaded table, as etl.loaded_tables held it when looked up. */
struct known_sha {
	int year;
	char dept[64], stage[16];
	int kind;
	char sha[72];
};

/*
 * Files waiting for their transaction: one transaction writes many tables
 * (set-based deletes, one COPY stream per target table), each table still
 * replaced whole or not at all.
 */
struct batch {
	struct file_state *f;
	int n, cap;
	struct pgw_buf facts, projects, indicators, checks;
	double started;          /* when its first file or check came */
	struct known_sha *known; /* loaded_tables of the submissions met */
	int nknown, capknown;
	struct submission *fetched; /* (year, dept) whose loaded_tables are in known */
	int nfetched, capfetched;
};

struct counts {
	long files_seen, files_loaded, files_unchanged, files_rejected;
	long long rows_read, rows_loaded, rows_rejected;
	long checks_failed;
};

struct loader {
	struct opts *o;
	struct batch b;
	bool db_broken;      /* a database step failed: nothing more is written */
	int msgfd;           /* a --jobs worker: messages to the parent, else -1 */
	bool refresh_marked; /* etl.state refresh_pending committed by this run */
	struct etl_config cfg;
	struct dept_registry reg;
	struct pgw w;
	bool connected;
	long long run_id;
	char run_text[24];
	struct file_state f;
	struct counts n;
	bool seen_header, any_reject;
	int fatal;          /* exit code that stops the run, 0 while all is well */
	bool stream_broken; /* the stream ended or broke where it should not */
	bool started;       /* the stream was read: a summary is due */
	long lineno;        /* stream line being handled */
	struct submission failed[MAX_SUBMISSIONS];
	int nfailed;
	char *listed_checks[MAX_LISTED];
	int nlisted_checks;
	char *unregistered[MAX_LISTED];
	int nunregistered;
	char *warned[64]; /* unknown R keys, warned once each */
	int nwarned;
	char cwd[PATH_MAX];
};

static void progress_add(long files, long long rows, long long bytes);
static void progress_clear(void);
static bool progress_tty(void);
static void tell_parent(const struct loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record a fatal stop (the first one wins), say why, and return -1. */
static int stop_run(struct loader *ld, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int stop_run(struct loader *ld, int code, const char *fmt, ...)
{
	char msg[ETL_ERR_MSG + PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ld->fatal)
		ld->fatal = code;
	runlog_error("%s", msg);
	return -1;
}

/* Exit code of a failed database step, from err->reason (or the signal). */
static int db_code(const struct etl_err *err)
{
	if (got_signal)
		return EX_INTERRUPTED_BASE + got_signal;
	if (pgw_unavailable(err))
		return EX_UNAVAILABLE;
	if (strcmp(err->reason, "db_denied") == 0 || strcmp(err->reason, "bad_config") == 0)
		return EX_CONFIG;
	return EX_SOFTWARE;
}

static int db_fail(struct loader *ld, const struct etl_err *err)
{
	ld->db_broken = true;
	return stop_run(ld, db_code(err), "%s", err->message);
}

/* Keep a copy of s in a bounded list; returns false when the list is full. */
static bool list_add(char **list, int *n, const char *s)
{
	if (*n >= MAX_LISTED)
		return false;
	list[*n] = strdup(s);
	if (list[*n])
		(*n)++;
	return true;
}

static bool list_has(char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Text helpers ---------------------------------------------------------------- */

static const char *null_if_empty(const char *s)
{
	return s && *s ? s : NULL;
}

/* A non-negative decimal integer field; -1 when it is not one. */
static long parse_count(const char *s)
{
	char *end;
	long v;

	if (!digits(s, 1, 18))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end ? -1 : v;
}

/*
 * A stream amount: an exact decimal ("7480300.00", "-12.5") into fen.
 * Returns 0, or -1 when s is not one (the stream is then broken).
 */
static int parse_amount(const char *s, int64_t *fen)
{
	bool neg = *s == '-';

	if (config_parse_yuan(s + neg, fen) < 0)
		return -1;
	if (neg)
		*fen = -*fen;
	return 0;
}

static const char *const amount_keys[] = {
    "total",
    "basic",
    "project",
    "personnel",
    "public",
    "upper_remit",
    "business_op",
    "subsidiary",
    "income_subtotal",
    "general_budget",
    "gov_fund",
    "state_capital",
    "fiscal_appropriation",
    "fiscal_special",
    "business",
    "operating",
    "superior_subsidy",
    "subordinate_remit",
    "other",
    "carryover",
    "amount",
    "outbound_travel",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_operation",
    "official_reception",
    "admin_operating",
    NULL,
};

static const char *const text_keys[] = {"supervisor", "goal", "l1",    "l2",   "l3",
                                        "target",     "op",   "value", "unit", NULL};

static bool in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

/* Checks (C records) ------------------------------------------------------------ */

static bool submission_failed(const struct loader *ld, int year, const char *dept)
{
	for (int i = 0; i < ld->nfailed; i++)
		if (ld->failed[i].year == year && strcmp(ld->failed[i].dept, dept) == 0)
			return true;
	return false;
}

static void mark_failed(struct loader *ld, int year, const char *dept)
{
	if (submission_failed(ld, year, dept) || ld->nfailed >= MAX_SUBMISSIONS)
		return;
	ld->failed[ld->nfailed].year = year;
	snprintf(ld->failed[ld->nfailed].dept, sizeof(ld->failed[0].dept), "%s", dept);
	ld->nfailed++;
}

/*
 * Monotonic seconds, for batch deadlines and the progress bar only: the one
 * use of floating point in etl/, and it never touches an amount.
 */
static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The batch's clock starts with its first file or check. */
static void batch_touch(struct batch *b)
{
	if (b->n == 0 && b->checks.len == 0 && b->facts.len == 0)
		b->started = now_seconds();
}

/*
 * Queue one etl.checks row (written with the batch's transaction); fields
 * as in a C record (empty = NULL).
 */
static int insert_check(struct loader *ld, const char *year, const char *dept, const char *kind,
                        const char *name, const char *subject, const char *expected,
                        const char *actual, bool passed, const char *message)
{
	struct pgw_buf *c = &ld->b.checks;

	if (ld->o->dry_run)
		return 0;
	batch_touch(&ld->b);
	pgw_buf_field(c, false, null_if_empty(year));
	pgw_buf_field(c, false, null_if_empty(dept));
	pgw_buf_field(c, false, null_if_empty(kind));
	pgw_buf_field(c, false, name);
	pgw_buf_field(c, false, null_if_empty(subject));
	pgw_buf_field(c, false, null_if_empty(expected));
	pgw_buf_field(c, false, null_if_empty(actual));
	pgw_buf_field(c, false, passed ? "true" : "false");
	pgw_buf_field(c, false, null_if_empty(message));
	pgw_buf_putc(c, '\n');
	if (c->oom)
		return stop_run(ld, EX_SOFTWARE, "%s", "out of memory");
	return 0;
}

/* A failed check: remember its submission and a line for the summary. */
static void note_failed_check(struct loader *ld, int year, const char *dept, const char *kind,
                              const char *name, const char *subject, const char *message)
{
	char line[1024];

	ld->n.checks_failed++;
	mark_failed(ld, year, dept);
	snprintf(line, sizeof(line), "%d/%s%s%s %s%s%s: %s", year, dept, *kind ? " 表" : "", kind,
	         name, *subject ? " " : "", subject, message);
	list_add(ld->listed_checks, &ld->nlisted_checks, line);
}

static int on_check(struct loader *ld, const struct stream_rec *r)
{
	char *const *c = r->field;
	const char *passed = c[C_PASSED];
	bool ok;
	long year;

	if (r->nfields < C_NFIELDS)
		return stop_run(ld, EX_SOFTWARE, "stream: C record with %s fields", "too few");
	if (strcmp(passed, "t") == 0 || strcmp(passed, "true") == 0 || strcmp(passed, "1") == 0)
		ok = true;
	else if (strcmp(passed, "f") == 0 || strcmp(passed, "false") == 0 ||
	         strcmp(passed, "0") == 0)
		ok = false;
	else
		return stop_run(ld, EX_SOFTWARE, "stream: C record passed=\"%s\" is not a boolean",
		                passed);
	year = *c[C_YEAR] ? parse_count(c[C_YEAR]) : 0;
	if (year < 0 || year > 9999)
		return stop_run(ld, EX_SOFTWARE, "stream: C record year \"%s\" is not a year",
		                c[C_YEAR]);
	if (!ok)
		note_failed_check(ld, (int)year, c[C_DEPT], c[C_KIND], c[C_NAME], c[C_SUBJECT],
		                  c[C_MESSAGE]);
	return insert_check(ld, c[C_YEAR], c[C_DEPT], c[C_KIND], c[C_NAME], c[C_SUBJECT],
	                    c[C_EXPECTED], c[C_ACTUAL], ok, c[C_MESSAGE]);
}

/* Files: F ------------------------------------------------------------------------ */

static void file_free(struct file_state *f)
{
	for (int i = 0; i < F_NFIELDS; i++)
		free(f->field[i]);
	free(f->abspath);
	pgw_buf_free(&f->rejects);
	memset(f, 0, sizeof(*f));
}

/* The batch's row buffers, in the order of the *_at ranges. */
static struct pgw_buf *batch_rows(struct batch *b, int which)
{
	return which == 0 ? &b->facts : which == 1 ? &b->projects : &b->indicators;
}

static size_t *file_range(struct file_state *f, int which)
{
	return which == 0 ? f->facts_at : which == 1 ? f->projects_at : f->indicators_at;
}

/* Forget the batch's files and rows (after its commit or rollback). */
static void batch_clear(struct batch *b)
{
	for (int i = 0; i < b->n; i++)
		file_free(&b->f[i]);
	b->n = 0;
	for (int w = 0; w < 3; w++)
		pgw_buf_reset(batch_rows(b, w));
	pgw_buf_reset(&b->checks);
	b->nknown = 0;
	b->nfetched = 0;
	/* big tables leave big buffers: give the memory back */
	for (int w = 0; w < 4; w++) {
		struct pgw_buf *p = w < 3 ? batch_rows(b, w) : &b->checks;

		if (p->cap > BATCH_KEEP)
			pgw_buf_free(p);
	}
}

static void batch_free(struct batch *b)
{
	batch_clear(b);
	for (int w = 0; w < 3; w++)
		pgw_buf_free(batch_rows(b, w));
	pgw_buf_free(&b->checks);
	free(b->f);
	free(b->known);
	free(b->fetched);
	memset(b, 0, sizeof(*b));
}

static size_t batch_bytes(const struct batch *b)
{
	return b->facts.len + b->projects.len + b->indicators.len + b->checks.len;
}

static bool same_table(const struct file_state *a, char *const *f)
{
	return strcmp(a->field[F_YEAR], f[F_YEAR]) == 0 &&
	       strcmp(a->field[F_DEPT], f[F_DEPT]) == 0 &&
	       strcmp(a->field[F_STAGE], f[F_STAGE]) == 0 &&
	       strcmp(a->field[F_KIND], f[F_KIND]) == 0;
}

/*
 * Should the batch be written before the file of F fields f starts?  When it
 * is full or old, or already replaces the same table (a table is replaced
 * once per transaction, in stream order).
 */
static bool batch_due(const struct batch *b, char *const *f)
{
	if (b->n == 0 && b->checks.len == 0)
		return false;
	if (b->n >= BATCH_FILES || batch_bytes(b) >= BATCH_BYTES ||
	    now_seconds() - b->started >= BATCH_SECONDS)
		return true;
	for (int i = 0; i < b->n; i++)
		if (b->f[i].st == ST_LOADED && same_table(&b->f[i], f))
			return true;
	return false;
}

static int flush_batch(struct loader *ld);

/*
 * The department of a file against the registry: an unknown code is named
 * in the summary; a known code with another name is a failed check.
 */
static int check_department(struct loader *ld)
{
	const char *code = ld->f.field[F_DEPT], *name = ld->f.field[F_DEPT_NAME];
	const struct department *d;
	char a[CONFIG_NAME_MAX], b[CONFIG_NAME_MAX], line[CONFIG_NAME_MAX * 2 + 64];

	if (!*code)
		return 0;
	d = dept_find(&ld->reg, code);
	if (!d) {
		snprintf(line, sizeof(line), "%s %s", code, *name ? name : "(no name)");
		if (!list_has(ld->unregistered, ld->nunregistered, line))
			list_add(ld->unregistered, &ld->nunregistered, line);
		return 0;
	}
	if (!*name || strcmp(text_key(name, a, sizeof(a)), text_key(d->name, b, sizeof(b))) == 0)
		return 0;
	snprintf(line, sizeof(line), "name %d/%s %s", ld->f.year, code, name);
	if (list_has(ld->warned, ld->nwarned, line) || ld->nwarned >= 64)
		return 0;
	ld->warned[ld->nwarned++] = strdup(line);
	snprintf(line, sizeof(line),
	         "部门名称不一致：文件中为“%s”，登记（config/departments.csv）为“%s”", name,
	         d->name);
	note_failed_check(ld, ld->f.year, code, "", "dept_name_matches_registry", code, line);
	return insert_check(ld, ld->f.field[F_YEAR], code, NULL, "dept_name_matches_registry", code,
	                    NULL, NULL, false, line);
}

static int on_file(struct loader *ld, const struct stream_rec *r)
{
	struct file_state *f = &ld->f;
	char abspath[PATH_MAX];
	long v;

	if (r->nfields < F_NFIELDS)
		return stop_run(ld, EX_SOFTWARE, "stream: F record with %s fields", "too few");
	if (!ld->o->dry_run && batch_due(&ld->b, r->field) && flush_batch(ld) < 0)
		return -1;
	file_free(f);
	f->open = true;
	for (int i = 0; i < F_NFIELDS; i++)
		if (!(f->field[i] = strdup(r->field[i])))
			return stop_run(ld, EX_SOFTWARE, "%s", "out of memory");
	paths_absolute(ld->cwd, f->field[F_PATH], abspath, sizeof(abspath));
	if (!(f->abspath = strdup(abspath)))
		return stop_run(ld, EX_SOFTWARE, "%s", "out of memory");
	v = *f->field[F_YEAR] ? parse_count(f->field[F_YEAR]) : 0;
	f->year = v > 0 && v <= 9999 ? (int)v : 0;
	v = parse_count(f->field[F_KIND]);
	f->kind = v >= 1 && v <= 10 ? (int)v : 0;
	batch_touch(&ld->b);
	for (int w = 0; w < 3; w++)
		file_range(f, w)[0] = file_range(f, w)[1] = batch_rows(&ld->b, w)->len;
	return check_department(ld);
}

/* Rows: R --------------------------------------------------------------------------- */

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

/* One core.fact_amount row per amount key (zero skipped except in table 7). */
static int fact_rows(struct loader *ld, const struct stream_rec *r)
{
	struct file_state *f = &ld->f;
	struct pgw_buf *out = &ld->b.facts;

	for (int i = R_KV; i < r->nfields; i++) {
		char *kv = r->field[i], *eq = strchr(kv, '=');
		int64_t fen;

		if (!eq)
			return stop_run(ld, EX_SOFTWARE, "stream: R field \"%s\" is not key=value",
			                kv);
		*eq = '\0';
		if (!in_list(amount_keys, kv)) {
			if (!in_list(text_keys, kv) && !list_has(ld->warned, ld->nwarned, kv) &&
			    ld->nwarned < 64) {
				ld->warned[ld->nwarned++] = strdup(kv);
				runlog_warn("stream: R key \"%s\" is not an amount key; not loaded",
				            kv);
			}
			*eq = '=';
			continue;
		}
		if (eq[1] && parse_amount(eq + 1, &fen) < 0)
			return stop_run(ld, EX_SOFTWARE, "stream: amount \"%s\" is not a decimal",
			                eq + 1);
		if (!eq[1] || (fen == 0 && f->kind != 7)) {
			*eq = '=';
			continue;
		}
		put_table_key(out, f, true);
		pgw_buf_field(out, false, r->field[R_ROLE]);
		pgw_buf_field(out, false, null_if_empty(r->field[R_CODE]));
		pgw_buf_field(out, false, null_if_empty(r->field[R_NAME]));
		pgw_buf_field(out, false, kv);
		pgw_buf_field(out, false, eq + 1);
		pgw_buf_field(out, false, r->field[R_LINE]);
		pgw_buf_putc(out, '\n');
		*eq = '=';
	}
	return 0;
}

/* Table 9: a project row (project_no in file order). */
static void project_row(struct loader *ld, const struct stream_rec *r)
{
	struct file_state *f = &ld->f;
	struct pgw_buf *out = &ld->b.projects;
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

/* Table 9: an indicator of the last project. */
static int indicator_row(struct loader *ld, const struct stream_rec *r)
{
	static const char *const keys[] = {"l1", "l2", "l3", "target", "op", "value", "unit"};
	struct file_state *f = &ld->f;
	struct pgw_buf *out = &ld->b.indicators;
	char num[16];

	if (f->project_no == 0)
		return stop_run(ld, EX_SOFTWARE, "stream: indicator at line %s before any project",
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

static int on_row(struct loader *ld, const struct stream_rec *r)
{
	const char *role;

	if (r->nfields < R_KV)
		return stop_run(ld, EX_SOFTWARE, "stream: R record with %s fields", "too few");
	if (parse_count(r->field[R_LINE]) < 0)
		return stop_run(ld, EX_SOFTWARE, "stream: R line \"%s\" is not a number",
		                r->field[R_LINE]);
	role = r->field[R_ROLE];
	ld->f.nrows++;
	if (strcmp(role, "project") == 0)
		project_row(ld, r);
	else if (strcmp(role, "indicator") == 0 && indicator_row(ld, r) < 0)
		return -1;
	return fact_rows(ld, r);
}

/* Rejects: J ------------------------------------------------------------------------ */

/* Print a reject as path:line: reason: message and queue its etl.rejects row. */
static void add_reject(struct loader *ld, struct file_state *f, const char *line,
                       const char *column, const char *reason, const char *message, const char *raw)
{
	struct pgw_buf *out = &f->rejects;
	bool whole = strcmp(line, "0") == 0 || !*line;

	progress_clear();
	if (whole)
		fprintf(stderr, "%s: %s: %s\n", paths_shown(ld->cwd, f->field[F_PATH]), reason,
		        message);
	else
		fprintf(stderr, "%s:%s: %s: %s\n", paths_shown(ld->cwd, f->field[F_PATH]), line,
		        reason, message);
	pgw_buf_field(out, false, f->abspath);
	pgw_buf_field(out, false, whole ? NULL : line);
	pgw_buf_field(out, false, null_if_empty(column));
	pgw_buf_field(out, false, null_if_empty(raw));
	pgw_buf_field(out, false, reason);
	pgw_buf_field(out, false, message);
	pgw_buf_putc(out, '\n');
	ld->any_reject = true;
}

static int on_reject(struct loader *ld, const struct stream_rec *r)
{
	char *const *j = r->field;

	if (r->nfields < J_NFIELDS)
		return stop_run(ld, EX_SOFTWARE, "stream: J record with %s fields", "too few");
	if (parse_count(j[J_LINE]) < 0)
		return stop_run(ld, EX_SOFTWARE, "stream: J line \"%s\" is not a number",
		                j[J_LINE]);
	ld->f.nrejects++;
	if (strcmp(j[J_LINE], "0") == 0)
		ld->f.whole_file = true;
	add_reject(ld, &ld->f, j[J_LINE], j[J_COLUMN], j[J_REASON], j[J_MESSAGE], j[J_RAW]);
	return 0;
}

/* End of a file: E ------------------------------------------------------------------- */

static const char *status_name(enum file_status s)
{
	return s == ST_LOADED ? "loaded" : s == ST_UNCHANGED ? "unchanged" : "rejected";
}

/* E fields: numbers and accounting; fills e[] and returns 0, or stops (70). */
static int read_end(struct loader *ld, const struct stream_rec *r, long e[E_STATUS])
{
	if (r->nfields < E_NFIELDS)
		return stop_run(ld, EX_SOFTWARE, "stream: E record with %s fields", "too few");
	for (int i = 0; i < E_STATUS; i++)
		if ((e[i] = parse_count(r->field[i])) < 0)
			return stop_run(ld, EX_SOFTWARE, "stream: E count \"%s\" is not a number",
			                r->field[i]);
	if (e[E_META] + e[E_FACTS] + e[E_SUBTOTALS] + e[E_REJECTED] != e[E_RECORDS]) {
		char msg[PATH_MAX + 200];

		snprintf(msg, sizeof(msg),
		         "%s: row accounting does not add up: %ld records but %ld meta + %ld facts "
		         "+ %ld subtotals + %ld rejected = %ld; the run stops",
		         ld->f.field[F_PATH], e[E_RECORDS], e[E_META], e[E_FACTS], e[E_SUBTOTALS],
		         e[E_REJECTED], e[E_META] + e[E_FACTS] + e[E_SUBTOTALS] + e[E_REJECTED]);
		return stop_run(ld, EX_SOFTWARE, "%s", msg);
	}
	return 0;
}

/*
 * What becomes of the file before any database look-up: rejected (by extract
 * or normalize, by --strict-checks, or for rejected rows without
 * --accept-partial), or a candidate for loading.
 */
static enum file_status decide(struct loader *ld, const char *e_status)
{
	struct file_state *f = &ld->f;

	if (strcmp(e_status, "ok") != 0 || f->whole_file) {
		if (f->nrejects == 0)
			add_reject(ld, f, "0", "", "file_rejected",
			           "文件被整体拒绝（前一阶段未给出原因）", "");
		return ST_REJECTED;
	}
	if (!f->year || !f->kind || !*f->field[F_DEPT] || !*f->field[F_STAGE]) {
		add_reject(ld, f, "0", "", "unrecognised_table",
		           "无法确定该表的年度、部门或表种，未加载", "");
		return ST_REJECTED;
	}
	if (ld->o->strict && submission_failed(ld, f->year, f->field[F_DEPT])) {
		add_reject(ld, f, "0", "", "failed_checks",
		           "该提交有未通过的核对（--strict-checks），整个提交不予加载", "");
		return ST_REJECTED;
	}
	if (f->nrejects > 0 && !ld->o->accept_partial) {
		char msg[256];

		snprintf(msg, sizeof(msg),
		         "表中有 %ld 行被拒绝，整表未加载（原有版本保留；--accept-partial "
		         "可加载其余各行）",
		         f->nrejects);
		add_reject(ld, f, "0", "", "table_not_loaded", msg, "");
		return ST_REJECTED;
	}
	return ST_LOADED;
}

/*
 * The sha256 of the loaded version of this table, "" when none.  The
 * loaded tables of a submission are read with one query and kept until the
 * batch is written (a table met twice makes the batch be written first).
 */
static int loaded_sha(struct loader *ld, char *sha, size_t size, struct etl_err *err)
{
	struct batch *b = &ld->b;
	const struct file_state *f = &ld->f;
	const char *const p[] = {f->field[F_YEAR], f->field[F_DEPT]};
	bool fetched = false;
	PGresult *res;

	*sha = '\0';
	for (int i = 0; i < b->nfetched && !fetched; i++)
		fetched = b->fetched[i].year == f->year &&
		          strcmp(b->fetched[i].dept, f->field[F_DEPT]) == 0;
	if (!fetched) {
		if (strlen(f->field[F_DEPT]) >= sizeof(b->known[0].dept))
			return pgw_query_value(
			    &ld->w,
			    "SELECT sha256 FROM etl.loaded_tables WHERE fiscal_year = $1"
			    " AND dept_code = $2 AND stage = $3 AND table_kind = $4",
			    4,
			    (const char *const[]){f->field[F_YEAR], f->field[F_DEPT],
			                          f->field[F_STAGE], f->field[F_KIND]},
			    sha, size, err);
		if (pgw_exec(&ld->w,
		             "SELECT stage, table_kind, sha256 FROM etl.loaded_tables"
		             " WHERE fiscal_year = $1 AND dept_code = $2",
		             2, p, &res, err) < 0)
			return -1;
		if (b->nfetched == b->capfetched) {
			int cap = b->capfetched ? b->capfetched * 2 : 64;
			struct submission *nf = realloc(b->fetched, (size_t)cap * sizeof(*nf));

			if (!nf) {
				PQclear(res);
				return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
			}
			b->fetched = nf;
			b->capfetched = cap;
		}
		b->fetched[b->nfetched].year = f->year;
		snprintf(b->fetched[b->nfetched].dept, sizeof(b->fetched[0].dept), "%s",
		         f->field[F_DEPT]);
		b->nfetched++;
		for (int i = 0; i < PQntuples(res); i++) {
			struct known_sha *k;

			if (b->nknown == b->capknown) {
				int cap = b->capknown ? b->capknown * 2 : 256;
				struct known_sha *nk = realloc(b->known, (size_t)cap * sizeof(*nk));

				if (!nk) {
					PQclear(res);
					return etl_fail(err, "out_of_memory", 0, NULL,
					                "out of memory");
				}
				b->known = nk;
				b->capknown = cap;
			}
			k = &b->known[b->nknown++];
			k->year = f->year;
			snprintf(k->dept, sizeof(k->dept), "%s", f->field[F_DEPT]);
			snprintf(k->stage, sizeof(k->stage), "%s", PQgetvalue(res, i, 0));
			k->kind = atoi(PQgetvalue(res, i, 1));
			snprintf(k->sha, sizeof(k->sha), "%s", PQgetvalue(res, i, 2));
		}
		PQclear(res);
	}
	for (int i = 0; i < b->nknown; i++) {
		const struct known_sha *k = &b->known[i];

		if (k->year == f->year && k->kind == f->kind &&
		    strcmp(k->dept, f->field[F_DEPT]) == 0 &&
		    strcmp(k->stage, f->field[F_STAGE]) == 0) {
			snprintf(sha, size, "%s", k->sha);
			break;
		}
	}
	return 0;
}

static void count_file(struct loader *ld, const struct file_state *f)
{
	struct counts *n = &ld->n;

	n->files_seen++;
	n->rows_read += f->e[E_RECORDS];
	n->rows_rejected += f->e[E_REJECTED];
	if (f->st == ST_LOADED) {
		n->files_loaded++;
		n->rows_loaded += f->nrows;
	} else if (f->st == ST_UNCHANGED) {
		n->files_unchanged++;
	} else {
		n->files_rejected++;
		ld->any_reject = true;
	}
	if (f->e[E_REJECTED] > 0)
		ld->any_reject = true;
}

/* Count a file whose fate is sealed (committed, or a dry run) and say so. */
static void file_done(struct loader *ld, const struct file_state *f)
{
	long long bytes = strtoll(f->field[F_BYTES], NULL, 10);

	count_file(ld, f);
	if (ld->msgfd >= 0)
		tell_parent(ld, "P 1 %ld %lld", f->e[E_RECORDS], bytes);
	else
		progress_add(1, f->e[E_RECORDS], bytes);
	if (progress_tty())
		return; /* the bar says it; a line a file would hide it */
	if (f->st == ST_LOADED)
		runlog_info("%s %s: table %d of %d/%s (%ld rows)",
		            ld->o->dry_run ? "would load" : "loaded", f->field[F_PATH], f->kind,
		            f->year, f->field[F_DEPT], f->nrows);
	else if (f->st == ST_UNCHANGED)
		runlog_info("unchanged %s", f->field[F_PATH]);
}

static int on_end(struct loader *ld, const struct stream_rec *r)
{
	struct file_state *f = &ld->f;
	struct batch *b = &ld->b;
	char sha[80] = "";
	struct etl_err err;

	if (read_end(ld, r, f->e) < 0)
		return -1;
	f->st = decide(ld, r->field[E_STATUS]);
	if (!ld->o->dry_run && f->st == ST_LOADED && !ld->o->force) {
		if (loaded_sha(ld, sha, sizeof(sha), &err) < 0)
			return db_fail(ld, &err);
		if (*sha && strcmp(sha, f->field[F_SHA256]) == 0)
			f->st = ST_UNCHANGED;
	}
	for (int w = 0; w < 3; w++) {
		struct pgw_buf *rows = batch_rows(b, w);
		size_t *at = file_range(f, w);

		if (f->st != ST_LOADED || ld->o->dry_run) {
			rows->len = at[0]; /* its rows are not written */
			if (rows->p)
				rows->p[rows->len] = '\0';
		}
		at[1] = rows->len;
		if (rows->oom || f->rejects.oom)
			return stop_run(ld, EX_SOFTWARE, "%s", "out of memory");
	}
	if (ld->o->dry_run) {
		file_done(ld, f);
		file_free(f);
		return 0;
	}
	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		struct file_state *nf = realloc(b->f, (size_t)cap * sizeof(*nf));

		if (!nf)
			return stop_run(ld, EX_SOFTWARE, "%s", "out of memory");
		b->f = nf;
		b->cap = cap;
	}
	f->open = false;
	b->f[b->n++] = *f; /* the batch owns it now */
	memset(f, 0, sizeof(*f));
	return 0;
}

/* Writing a batch ----------------------------------------------------------------------- */

/* file_ids for files [from, to) from the etl.files sequence, in file order. */
static int file_ids(struct loader *ld, int n, long long *ids, struct etl_err *err)
{
	char num[24];
	const char *const p[] = {num};
	PGresult *res;

	snprintf(num, sizeof(num), "%d", n);
	if (pgw_exec(&ld->w,
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

/* COPY etl.files: one row per file, with its file_id. */
static int copy_files(struct loader *ld, int from, int to, const long long *ids,
                      struct etl_err *err)
{
	struct pgw_buf rows = {0};
	int rc;

	for (int i = from; i < to; i++) {
		const struct file_state *f = &ld->b.f[i];
		char num[5][24];

		snprintf(num[0], 24, "%lld", ids[i - from]);
		snprintf(num[1], 24, "%ld", f->e[E_RECORDS]);
		snprintf(num[2], 24, "%ld", f->st == ST_LOADED ? f->nrows : 0L);
		snprintf(num[3], 24, "%ld", f->e[E_REJECTED]);
		pgw_buf_field(&rows, true, num[0]);
		pgw_buf_field(&rows, false, ld->run_text);
		pgw_buf_field(&rows, false, f->abspath);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_SHA256]));
		pgw_buf_field(&rows, false, f->year ? f->field[F_YEAR] : NULL);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_DEPT]));
		pgw_buf_field(&rows, false, f->kind ? f->field[F_KIND] : NULL);
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_STAGE]));
		pgw_buf_field(&rows, false, null_if_empty(f->field[F_ENCODING]));
		pgw_buf_field(&rows, false, status_name(f->st));
		pgw_buf_field(&rows, false, num[1]);
		pgw_buf_field(&rows, false, num[2]);
		pgw_buf_field(&rows, false, num[3]);
		pgw_buf_putc(&rows, '\n');
	}
	if (rows.oom)
		rc = etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	else
		rc =
		    pgw_copy_text(&ld->w,
		                  "COPY etl.files (file_id, run_id, file_path, sha256, fiscal_year,"
		                  " dept_code, table_kind, stage, encoding, status, rows_read,"
		                  " rows_loaded, rows_rejected) FROM STDIN",
		                  "", rows.p, rows.len, err);
	pgw_buf_free(&rows);
	return rc;
}

/* A department first met in a file: registered = false, default region. */
static int register_department(struct loader *ld, const struct file_state *f, struct etl_err *err)
{
	const struct etl_config *c = &ld->cfg;
	const char *code = f->field[F_DEPT], *name = f->field[F_DEPT_NAME];
	char region[CONFIG_NAME_MAX * 3 + 3];
	const char *const pr[] = {
	    dept_region_code(c->province, c->city, c->district, region, sizeof(region)),
	    c->province, c->city, c->district};
	const char *const pd[] = {code, *name ? name : code, region, c->unit_type};

	if (pgw_exec(&ld->w,
	             "INSERT INTO core.dim_region (region_code, province, city, district)"
	             " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
	             4, pr, NULL, err) < 0)
		return -1;
	return pgw_exec(&ld->w,
	                "INSERT INTO core.dim_department (dept_code, dept_name, region_code,"
	                " unit_type, registered) VALUES ($1, $2, $3, $4, false)"
	                " ON CONFLICT DO NOTHING",
	                4, pd, NULL, err);
}

static bool same_submission(const struct file_state *a, const struct file_state *b)
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
static int replace_group(struct loader *ld, int first, int to, const long long *ids, int from,
                         struct etl_err *err)
{
	const struct file_state *g = &ld->b.f[first];
	struct pgw_buf kinds = {0}, shas = {0}, fids = {0};
	bool any = false, has9 = false;
	int rc = 0;

	pgw_buf_putc(&kinds, '{');
	pgw_buf_putc(&shas, '{');
	pgw_buf_putc(&fids, '{');
	for (int i = first; i < to; i++) {
		const struct file_state *f = &ld->b.f[i];
		char num[24];

		if (f->st != ST_LOADED || !same_submission(f, g))
			continue;
		snprintf(num, sizeof(num), "%lld", ids[i - from]);
		pgw_buf_array_elem(&kinds, !any, f->field[F_KIND]);
		pgw_buf_array_elem(&shas, !any, f->field[F_SHA256]);
		pgw_buf_array_elem(&fids, !any, num);
		any = true;
		has9 |= f->kind == 9;
	}
	pgw_buf_putc(&kinds, '}');
	pgw_buf_putc(&shas, '}');
	pgw_buf_putc(&fids, '}');
	if (kinds.oom || shas.oom || fids.oom)
		rc = etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	else {
		const char *const p[] = {g->field[F_YEAR], g->field[F_DEPT], g->field[F_STAGE],
		                         kinds.p,          shas.p,           fids.p,
		                         ld->run_text};

		rc = pgw_exec(
		    &ld->w,
		    "DELETE FROM core.fact_amount WHERE fiscal_year = $1 AND dept_code = $2"
		    " AND stage = $3 AND table_kind = ANY ($4::smallint[])",
		    4, p, NULL, err);
		if (rc == 0 && has9)
			rc = pgw_exec(&ld->w,
			              "DELETE FROM core.project_indicator WHERE fiscal_year = $1"
			              " AND dept_code = $2 AND stage = $3",
			              3, p, NULL, err);
		if (rc == 0 && has9)
			rc = pgw_exec(
			    &ld->w,
			    "DELETE FROM core.project WHERE fiscal_year = $1 AND dept_code = $2"
			    " AND stage = $3",
			    3, p, NULL, err);
		if (rc == 0)
			rc = pgw_exec(
			    &ld->w,
			    "INSERT INTO etl.loaded_tables (fiscal_year, dept_code, stage, "
			    "table_kind,"
			    " sha256, file_id, run_id)"
			    " SELECT $1, $2, $3, k, s, f, $7"
			    " FROM unnest($4::smallint[], $5::text[], $6::bigint[]) AS t (k, s, f)"
			    " ON CONFLICT (fiscal_year, dept_code, stage, table_kind) DO UPDATE SET"
			    " sha256 = EXCLUDED.sha256, file_id = EXCLUDED.file_id,"
			    " run_id = EXCLUDED.run_id, loaded_at = now()",
			    7, p, NULL, err);
	}
	pgw_buf_free(&kinds);
	pgw_buf_free(&shas);
	pgw_buf_free(&fids);
	return rc;
}

/* One COPY stream of the loaded files' rows of one kind, each after its file_id. */
static int copy_rows(struct loader *ld, int which, const char *sql, int from, int to,
                     const long long *ids, struct etl_err *err)
{
	struct pgw_buf *rows = batch_rows(&ld->b, which);
	struct pgw_copy c;
	bool any = false;

	for (int i = from; i < to && !any; i++) {
		size_t *at = file_range(&ld->b.f[i], which);

		any = ld->b.f[i].st == ST_LOADED && at[1] > at[0];
	}
	if (!any)
		return 0;
	if (pgw_copy_begin(&c, &ld->w, sql, err) < 0)
		return -1;
	for (int i = from; i < to; i++) {
		struct file_state *f = &ld->b.f[i];
		size_t *at = file_range(f, which);
		char prefix[24];

		if (f->st != ST_LOADED || at[1] == at[0])
			continue;
		if (at[1] - at[0] > FILE_BUF_MAX) {
			etl_fail(err, "db_error", 0, NULL, "%s: table larger than %zu MB",
			         f->field[F_PATH], FILE_BUF_MAX >> 20);
			{
				struct etl_err ignored;

				pgw_copy_end(&c, "load failed", &ignored);
			}
			return -1;
		}
		snprintf(prefix, sizeof(prefix), "%lld", ids[i - from]);
		if (pgw_copy_lines(&c, prefix, rows->p + at[0], at[1] - at[0], err) < 0) {
			struct etl_err ignored;

			pgw_copy_end(&c, "load failed", &ignored);
			return -1;
		}
	}
	return pgw_copy_end(&c, NULL, err);
}

/* COPY the rejects of files [from, to) and, when asked, the batch's checks. */
static int copy_rejects_checks(struct loader *ld, int from, int to, bool checks,
                               struct etl_err *err)
{
	struct pgw_copy c;
	bool any = false;

	for (int i = from; i < to && !any; i++)
		any = ld->b.f[i].rejects.len > 0;
	if (any) {
		if (pgw_copy_begin(
		        &c, &ld->w,
		        "COPY etl.rejects (run_id, file_path, line, column_name, raw_value,"
		        " reason, message) FROM STDIN",
		        err) < 0)
			return -1;
		for (int i = from; i < to; i++) {
			const struct pgw_buf *r = &ld->b.f[i].rejects;

			if (r->len && pgw_copy_lines(&c, ld->run_text, r->p, r->len, err) < 0) {
				struct etl_err ignored;

				pgw_copy_end(&c, "load failed", &ignored);
				return -1;
			}
		}
		if (pgw_copy_end(&c, NULL, err) < 0)
			return -1;
	}
	if (!checks || ld->b.checks.len == 0)
		return 0;
	return pgw_copy_text(
	    &ld->w,
	    "COPY etl.checks (run_id, fiscal_year, dept_code, table_kind, check_name,"
	    " subject, expected, actual, passed, message) FROM STDIN",
	    ld->run_text, ld->b.checks.p, ld->b.checks.len, err);
}

/*
 * One transaction for files [from, to) of the batch (and its checks when
 * asked): their etl.files rows and rejects, and for each loaded file the
 * replacement of its table.  Rolls back on any failure.
 */
static int write_files(struct loader *ld, int from, int to, bool checks, struct etl_err *err)
{
	struct batch *b = &ld->b;
	long long *ids = calloc((size_t)(to - from) + 1, sizeof(long long));
	bool loaded = false;
	int rc =
	    ids ? pgw_begin(&ld->w, err) : etl_fail(err, "out_of_memory", 0, NULL, "out of memory");

	if (rc == 0 && to > from)
		rc = file_ids(ld, to - from, ids, err);
	if (rc == 0 && to > from)
		rc = copy_files(ld, from, to, ids, err);
	for (int i = from; rc == 0 && i < to; i++) {
		const struct file_state *f = &b->f[i];
		bool first = true;

		if (f->st != ST_LOADED)
			continue;
		loaded = true;
		for (int j = from; j < i && first; j++)
			first = !(b->f[j].st == ST_LOADED && same_submission(&b->f[j], f));
		if (!first)
			continue;
		if (!dept_find(&ld->reg, f->field[F_DEPT]))
			rc = register_department(ld, f, err);
		if (rc == 0)
			rc = replace_group(ld, i, to, ids, from, err);
	}
	if (rc == 0)
		rc = copy_rows(
		    ld, 0,
		    "COPY core.fact_amount (file_id, fiscal_year, dept_code, stage,"
		    " table_kind, row_role, code, label, measure, amount, line) FROM STDIN",
		    from, to, ids, err);
	if (rc == 0)
		rc = copy_rows(
		    ld, 1,
		    "COPY core.project (file_id, fiscal_year, dept_code, stage, project_no,"
		    " project_name, supervisor, amount, goal, line) FROM STDIN",
		    from, to, ids, err);
	if (rc == 0)
		rc =
		    copy_rows(ld, 2,
		              "COPY core.project_indicator (file_id, fiscal_year, dept_code, stage,"
		              " project_no, indicator_no, level1, level2, level3, target_text,"
		              " target_operator, target_value, target_unit, line) FROM STDIN",
		              from, to, ids, err);
	if (rc == 0 && loaded) {
		struct pgw_buf years = {0};
		bool first = true;

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
		rc = years.oom ? etl_fail(err, "out_of_memory", 0, NULL, "out of memory")
		               : pgw_exec(&ld->w,
		                          "INSERT INTO core.dim_fiscal_year (fiscal_year)"
		                          " SELECT unnest($1::smallint[]) ON CONFLICT DO NOTHING",
		                          1, (const char *const[]){years.p}, NULL, err);
		pgw_buf_free(&years);
	}
	if (rc == 0)
		rc = copy_rejects_checks(ld, from, to, checks, err);
	/* once a run: the flag stays until the run's refresh clears it */
	if (rc == 0 && loaded && !ld->refresh_marked)
		rc = pgw_mark_refresh(&ld->w, "load", err);
	if (rc == 0 && got_signal)
		rc = etl_fail(err, "interrupted", 0, NULL, "interrupted");
	if (rc == 0)
		rc = pgw_commit(&ld->w, err);
	if (rc < 0)
		pgw_rollback(&ld->w);
	else if (loaded)
		ld->refresh_marked = true;
	free(ids);
	return rc;
}

/*
 * Write the batch.  When the server refuses a value of some table (db_data),
 * the batch is written again one table per transaction, and the table it
 * refused is rejected while the run goes on.
 */
static int flush_batch(struct loader *ld)
{
	struct batch *b = &ld->b;
	struct etl_err err;

	if (b->n == 0 && b->checks.len == 0)
		return 0;
	etl_err_clear(&err);
	if (write_files(ld, 0, b->n, true, &err) < 0) {
		if (got_signal || strcmp(err.reason, "db_data") != 0) {
			ld->db_broken = true;
			return db_fail(ld, &err);
		}
		etl_err_clear(&err);
		if (write_files(ld, 0, 0, true, &err) < 0) {
			ld->db_broken = true;
			return db_fail(ld, &err);
		}
		for (int i = 0; i < b->n; i++) {
			struct file_state *f = &b->f[i];

			etl_err_clear(&err);
			if (write_files(ld, i, i + 1, false, &err) == 0)
				continue;
			if (got_signal || strcmp(err.reason, "db_data") != 0) {
				ld->db_broken = true;
				return db_fail(ld, &err);
			}
			/* the server refused a value: the table is rejected, the run goes on */
			add_reject(ld, f, "0", "", "load_failed", err.message, "");
			f->st = ST_REJECTED;
			etl_err_clear(&err);
			if (f->rejects.oom || write_files(ld, i, i + 1, false, &err) < 0) {
				ld->db_broken = true;
				return db_fail(ld, &err);
			}
		}
	}
	for (int i = 0; i < b->n; i++)
		file_done(ld, &b->f[i]);
	batch_clear(b);
	return 0;
}

/* The stream ------------------------------------------------------------------------ */

static int on_header(struct loader *ld, const struct stream_rec *r)
{
	if (r->nfields < 2 || strcmp(r->field[0], STREAM_MAGIC) != 0 ||
	    strcmp(r->field[1], STREAM_VERSION) != 0)
		return stop_run(ld, EX_SOFTWARE, "stream: not a budget-etl stream of version %s",
		                STREAM_VERSION);
	ld->seen_header = true;
	return 0;
}

/* One record, in its place in S (C* (F R* J* E)*)*. */
static int on_record(struct loader *ld, const struct stream_rec *r)
{
	if (r->tag == 'S')
		return on_header(ld, r);
	if (!ld->seen_header) {
		ld->stream_broken = true;
		return stop_run(ld, EX_SOFTWARE, "stream: %s", "no S header line first");
	}
	if ((r->tag == 'R' || r->tag == 'J' || r->tag == 'E') != ld->f.open) {
		ld->stream_broken = true;
		return stop_run(ld, EX_SOFTWARE, "stream line %ld: %c record out of place",
		                ld->lineno, r->tag);
	}
	switch (r->tag) {
	case 'C': return on_check(ld, r);
	case 'F': return on_file(ld, r);
	case 'R': return on_row(ld, r);
	case 'J': return on_reject(ld, r);
	default: return on_end(ld, r);
	}
}

/* Read the whole stream; stops at the first fatal problem or a signal. */
static void read_stream(struct loader *ld, FILE *in)
{
	struct stream_reader rd;
	struct stream_rec rec;
	struct etl_err err;

	stream_reader_init(&rd, in);
	while (!got_signal && !ld->fatal) {
		etl_err_clear(&err);
		int rc = stream_read(&rd, &rec, &err);

		if (rc == 0)
			break;
		if (rc < 0) {
			ld->stream_broken = true;
			stop_run(ld, EX_SOFTWARE, "stream: %s", err.message);
			break;
		}
		ld->lineno = rd.lineno;
		on_record(ld, &rec);
	}
	if (!got_signal && !ld->fatal && ferror(in)) {
		ld->stream_broken = true;
		stop_run(ld, EX_SOFTWARE, "stream: read error: %s", strerror(errno));
	}
	if (!got_signal && !ld->fatal && ld->f.open) {
		ld->stream_broken = true;
		stop_run(ld, EX_SOFTWARE, "stream: %s ends without its E record",
		         ld->f.field[F_PATH]);
	}
	if (!got_signal && !ld->fatal && !ld->seen_header) {
		ld->stream_broken = true;
		stop_run(ld, EX_SOFTWARE, "stream: %s", "empty input (no S header)");
	}
	/* the tables read whole before a stop are written, as one by one they would have been */
	if (!got_signal && !ld->db_broken && !ld->o->dry_run && ld->connected)
		flush_batch(ld);
	stream_reader_free(&rd);
}

/* The pipeline: extract PATH... | normalize ----------------------------------------- */

struct pipeline {
	pid_t pid[2]; /* extract, normalize; 0 when not running */
	FILE *out;    /* normalize's stdout */
};

/* In the child: become prog with argv, stdin/stdout as given. */
static void exec_child(const char *bindir, const char *prog, char **argv, int in, int out,
                       int close_fd)
{
	char path[PATH_MAX];

	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(EX_OSERR);
	if (dup2(out, 1) < 0)
		_exit(EX_OSERR);
	if (in >= 0)
		close(in);
	close(out);
	if (close_fd >= 0)
		close(close_fd);
	snprintf(path, sizeof(path), "%s/%s", bindir, prog);
	execv(path, argv);
	fprintf(stderr, "load: cannot run %s: %s\n", path, strerror(errno));
	_exit(EX_SOFTWARE);
}

/* Arguments of normalize: what load passes through. */
static char **normalize_argv(const struct opts *o, char *argv[5])
{
	int n = 0;

	argv[n++] = (char *)"normalize";
	if (o->strict)
		argv[n++] = (char *)"--strict-checks";
	if (o->config_dir_opt) {
		argv[n++] = (char *)"--config-dir";
		argv[n++] = (char *)o->config_dir_opt;
	}
	argv[n] = NULL;
	return argv;
}

/*
 * Start extract and normalize; returns 0, or -1 (exit 70).  listfd >= 0:
 * extract reads its files from it (NUL-terminated paths, --files0-from -)
 * instead of the PATHs.
 */
static int pipeline_start(struct pipeline *p, const struct opts *o, int listfd)
{
	int a[2], b[2], n = 0;
	char **xargv = calloc((size_t)o->npaths + 6, sizeof(char *));

	memset(p, 0, sizeof(*p));
	if (!xargv || pipe(a) < 0) {
		free(xargv);
		return -1;
	}
	if (pipe(b) < 0) {
		close(a[0]);
		close(a[1]);
		free(xargv);
		return -1;
	}
	/* room for a submission or two ahead of the reader */
	fcntl(a[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(b[1], F_SETPIPE_SZ, 1 << 20);
	xargv[n++] = (char *)"extract";
	if (o->config_dir_opt) {
		xargv[n++] = (char *)"--config-dir";
		xargv[n++] = (char *)o->config_dir_opt;
	}
	if (listfd >= 0) {
		xargv[n++] = (char *)"--files0-from";
		xargv[n++] = (char *)"-";
	} else {
		xargv[n++] = (char *)"--";
		memcpy(xargv + n, o->paths, (size_t)o->npaths * sizeof(char *));
	}
	fflush(NULL);
	if ((p->pid[0] = fork()) == 0) {
		close(a[0]);
		close(b[0]);
		close(b[1]);
		exec_child(o->bindir, "extract", xargv, listfd, a[1], -1);
	}
	if (p->pid[0] > 0 && (p->pid[1] = fork()) == 0) {
		char *nargv[5];

		close(a[1]);
		exec_child(o->bindir, "normalize", normalize_argv(o, nargv), a[0], b[1], b[0]);
	}
	free(xargv);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	p->out = p->pid[0] > 0 && p->pid[1] > 0 ? fdopen(b[0], "r") : NULL;
	if (!p->out)
		close(b[0]);
	return p->out ? 0 : -1;
}

/* Exit code of a finished child (a signal other than ours counts as 70). */
static int child_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EX_SOFTWARE;
}

/* Close normalize's output, stop the children if asked, and collect their codes. */
static void pipeline_wait(struct pipeline *p, bool kill_them, int code[2])
{
	if (p->out)
		fclose(p->out);
	p->out = NULL;
	for (int i = 0; i < 2; i++) {
		int status = 0;

		code[i] = 0;
		if (p->pid[i] <= 0)
			continue;
		if (kill_them)
			kill(p->pid[i], SIGTERM);
		while (waitpid(p->pid[i], &status, 0) < 0 && errno == EINTR)
			;
		code[i] = child_code(status);
		p->pid[i] = 0;
	}
}

/*
 * The run's exit code from its own and the children's: a fatal stop of load
 * wins (unless the stream broke because a child failed), then a child's own
 * failure (extract first: 64, 66, 78 ...), then 65 if anything was rejected.
 */
static int merge_codes(const struct loader *ld, const int child[2])
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 2; i++) {
			int c = child[i];

			if (c == EX_OK || c == EX_DATAERR)
				continue;
			if (pass == 0 && !(ld->fatal && ld->stream_broken))
				continue;
			if (pass == 1 && ld->fatal)
				continue;
			return c == EX_USAGE || c == EX_NOINPUT || c == EX_CONFIG ||
			               c == EX_UNAVAILABLE || c == EX_SOFTWARE
			           ? c
			           : EX_SOFTWARE;
		}
	if (ld->fatal)
		return ld->fatal;
	if (ld->any_reject || child[0] == EX_DATAERR || child[1] == EX_DATAERR)
		return EX_DATAERR;
	return EX_OK;
}

/* The database side of a run -------------------------------------------------------- */

/* Connect (69), take the lock (75) and migrate (78/69/70); 0 when ready. */
static int db_open(struct loader *ld)
{
	const char *dsn;
	enum dsn_source src = config_resolve_dsn(ld->o->dsn, getenv, &ld->cfg, &dsn);
	struct etl_err err;
	char where[512];
	bool got;
	int applied;

	etl_err_clear(&err);
	if (src == DSN_NONE) {
		runlog_error(
		    "no database configured: run ./run.sh load (it starts the embedded "
		    "cluster) or give --dsn DSN (or ETL_DSN, PG* variables, [database] dsn "
		    "in config/etl.conf)");
		return EX_CONFIG;
	}
	if (pgw_connect(&ld->w, dsn, &err) < 0) {
		runlog_error("database (%s) unavailable: %s", dsn_source_name(src), err.message);
		return EX_UNAVAILABLE;
	}
	ld->connected = true;
	cancel_handle = PQgetCancel(ld->w.conn);
	runlog_info("connected to %s (%s)", pgw_describe(&ld->w, where, sizeof(where)),
	            dsn_source_name(src));
	if (pgw_lock(&ld->w, ld->o->wait, &got, &err) < 0)
		return db_code(&err);
	if (!got) {
		runlog_error("another load holds the lock; try later, or use --wait");
		return EX_TEMPFAIL;
	}
	if (pgw_migrate(&ld->w, ld->o->sql_dir, &applied, &err) < 0) {
		runlog_error("migration: %s", err.message);
		return db_code(&err);
	}
	if (applied)
		runlog_info("applied %d migration%s from %s", applied, applied == 1 ? "" : "s",
		            ld->o->sql_dir);
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
			const char *dsn = argv[i + 1];

			fprintf(f, "%s--dsn %s", i > 1 ? " " : "",
			        pgw_redact_conninfo(dsn, safe, sizeof(safe)));
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

static int run_begin(struct loader *ld, int argc, char **argv)
{
	char *opts = options_text(argc, argv);
	const char *const p[] = {opts ? opts : ""};
	struct etl_err err;
	int rc =
	    pgw_query_value(&ld->w, "INSERT INTO etl.runs (options) VALUES ($1) RETURNING run_id",
	                    1, p, ld->run_text, sizeof(ld->run_text), &err);

	free(opts);
	if (rc < 0)
		return db_fail(ld, &err);
	ld->run_id = strtoll(ld->run_text, NULL, 10);
	runlog_set_run(ld->run_id);
	return 0;
}

/* Record how the run ended (best effort: the server may be gone). */
static void run_end(struct loader *ld, int code)
{
	char v[9][24];
	const char *p[9];
	struct etl_err err;
	const long long x[9] = {ld->run_id,
	                        code,
	                        ld->n.files_seen,
	                        ld->n.files_loaded,
	                        ld->n.files_unchanged,
	                        ld->n.files_rejected,
	                        ld->n.rows_read,
	                        ld->n.rows_loaded,
	                        ld->n.rows_rejected};

	if (!ld->connected || !ld->run_text[0] || PQstatus(ld->w.conn) != CONNECTION_OK)
		return;
	for (int i = 0; i < 9; i++) {
		snprintf(v[i], sizeof(v[i]), "%lld", x[i]);
		p[i] = v[i];
	}
	pgw_rollback(&ld->w); /* in case a transaction was left open */
	if (pgw_exec(&ld->w,
	             "UPDATE etl.runs SET finished_at = now(), exit_code = $2, files_seen = $3,"
	             " files_loaded = $4, files_unchanged = $5, files_rejected = $6,"
	             " rows_read = $7, rows_loaded = $8, rows_rejected = $9 WHERE run_id = $1",
	             9, p, NULL, &err) < 0)
		runlog_warn("could not record the end of the run: %s", err.message);
}

/*
 * Refresh the marts when a load (this one or a killed one) left
 * refresh_pending; etl.refresh_marts() may not exist yet (then skipped).
 */
static int refresh(struct loader *ld)
{
	struct etl_err err;
	char v[64];

	if (pgw_query_value(&ld->w, "SELECT value FROM etl.state WHERE key = 'refresh_pending'", 0,
	                    NULL, v, sizeof(v), &err) < 0)
		return db_fail(ld, &err);
	if (!*v)
		return 0;
	if (pgw_query_value(&ld->w, "SELECT to_regprocedure('etl.refresh_marts()') IS NOT NULL", 0,
	                    NULL, v, sizeof(v), &err) < 0)
		return db_fail(ld, &err);
	if (strcmp(v, "t") == 0) {
		if (pgw_exec(&ld->w, "SELECT etl.refresh_marts()", 0, NULL, NULL, &err) < 0)
			return db_fail(ld, &err);
		runlog_info("refreshed the marts");
	}
	if (pgw_exec(&ld->w, "DELETE FROM etl.state WHERE key = 'refresh_pending'", 0, NULL, NULL,
	             &err) < 0)
		return db_fail(ld, &err);
	return 0;
}

/* The deletes and the record of a withdrawal; *removed counts the facts. */
static int withdraw_tx(struct loader *ld, const char *year, const char *dept, char removed[24],
                       struct etl_err *err)
{
	static const char *const more[] = {
	    "DELETE FROM core.project_indicator WHERE fiscal_year = $1 AND dept_code = $2",
	    "DELETE FROM core.project WHERE fiscal_year = $1 AND dept_code = $2",
	    "DELETE FROM etl.loaded_tables WHERE fiscal_year = $1 AND dept_code = $2",
	};
	const char *const p[] = {year, dept};
	const char *const pw[] = {ld->run_text, year, dept, removed};
	PGresult *res;

	if (pgw_exec(&ld->w,
	             "DELETE FROM core.fact_amount WHERE fiscal_year = $1 AND dept_code = $2", 2, p,
	             &res, err) < 0)
		return -1;
	snprintf(removed, 24, "%s", PQcmdTuples(res));
	PQclear(res);
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (pgw_exec(&ld->w, more[i], 2, p, NULL, err) < 0)
			return -1;
	if (pgw_exec(&ld->w,
	             "INSERT INTO etl.withdrawals (run_id, fiscal_year, dept_code, facts_removed)"
	             " VALUES ($1, $2, $3, $4)",
	             4, pw, NULL, err) < 0)
		return -1;
	return pgw_mark_refresh(&ld->w, "withdraw", err);
}

/* --withdraw YEAR DEPT: one transaction, then the refresh. */
static int withdraw(struct loader *ld, const char *year, const char *dept)
{
	char removed[24] = "0";
	struct etl_err err;

	etl_err_clear(&err);
	if (pgw_begin(&ld->w, &err) < 0 || withdraw_tx(ld, year, dept, removed, &err) < 0 ||
	    pgw_commit(&ld->w, &err) < 0) {
		pgw_rollback(&ld->w);
		return db_fail(ld, &err);
	}
	if (strcmp(removed, "0") == 0)
		runlog_warn("nothing was loaded for %s/%s; the withdrawal is recorded", year, dept);
	else
		runlog_info("withdrew %s/%s: %s facts removed (kept in etl.files and etl.rejects)",
		            year, dept, removed);
	return refresh(ld);
}

/* The summary ------------------------------------------------------------------------ */

/*
 * CONTRACT: two different codes claiming one name are reported.  Departments
 * get renamed, so this is a warning for the operator, never a rejection.
 */
static void report_shared_names(struct loader *ld)
{
	struct etl_err err;
	PGresult *res = NULL;

	etl_err_clear(&err);
	if (pgw_exec(&ld->w,
	             "SELECT dept_name || '：' || string_agg(dept_code, '、' ORDER BY dept_code)"
	             " FROM core.dim_department GROUP BY dept_name HAVING count(*) > 1"
	             " ORDER BY 1",
	             0, NULL, &res, &err) < 0)
		return;
	for (int i = 0; i < PQntuples(res); i++)
		runlog_warn("one department name, several codes (check config/departments.csv): %s",
		            PQgetvalue(res, i, 0));
	PQclear(res);
}

static void summary(const struct loader *ld, int code)
{
	const struct counts *n = &ld->n;
	bool quiet = ld->o->quiet;

	if (!quiet) {
		printf(
		    "%s%ld files: %ld %s, %ld unchanged, %ld rejected; rows: %lld read, %lld %s, "
		    "%lld rejected\n",
		    ld->o->dry_run ? "dry run (nothing written): " : "", n->files_seen,
		    n->files_loaded, ld->o->dry_run ? "would load" : "loaded", n->files_unchanged,
		    n->files_rejected, n->rows_read, n->rows_loaded,
		    ld->o->dry_run ? "would load" : "loaded", n->rows_rejected);
		for (int i = 0; i < ld->nunregistered; i++)
			printf("unregistered department (default region and unit type, add it to "
			       "config/departments.csv): %s\n",
			       ld->unregistered[i]);
	}
	if (ld->n.checks_failed) {
		FILE *out = quiet ? stderr : stdout;

		fprintf(out, "%ld failed check%s%s:\n", n->checks_failed,
		        n->checks_failed == 1 ? "" : "s",
		        ld->o->strict ? " (--strict-checks: their submissions were rejected)" : "");
		for (int i = 0; i < ld->nlisted_checks; i++)
			fprintf(out, "  %s\n", ld->listed_checks[i]);
		if (n->checks_failed > ld->nlisted_checks)
			fprintf(out, "  ... and %ld more (etl.checks)\n",
			        n->checks_failed - ld->nlisted_checks);
	}
	if (!quiet)
		printf("exit %d\n", code);
	fflush(stdout);
}

static void loader_free(struct loader *ld)
{
	file_free(&ld->f);
	batch_free(&ld->b);
	for (int i = 0; i < ld->nlisted_checks; i++)
		free(ld->listed_checks[i]);
	for (int i = 0; i < ld->nunregistered; i++)
		free(ld->unregistered[i]);
	for (int i = 0; i < ld->nwarned; i++)
		free(ld->warned[i]);
	dept_registry_free(&ld->reg);
	if (cancel_handle) {
		PGcancel *c = cancel_handle;

		cancel_handle = NULL;
		PQfreeCancel(c);
	}
	if (ld->connected)
		pgw_close(&ld->w);
}

/* main ---------------------------------------------------------------------------------- */

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Read etl.conf and departments.csv; returns 0 or 78. */
static int read_config(struct loader *ld)
{
	char path[PATH_MAX + 32];
	struct etl_err err;
	bool found;

	etl_err_clear(&err);
	config_defaults(&ld->cfg);
	snprintf(path, sizeof(path), "%s/etl.conf", ld->o->config_dir);
	if (config_load(&ld->cfg, path, &found, &err) < 0) {
		runlog_error("%s", err.message);
		return EX_CONFIG;
	}
	if (ld->cfg.unknown[0])
		runlog_warn("%s: unknown setting %s ignored", path, ld->cfg.unknown);
	snprintf(path, sizeof(path), "%s/departments.csv", ld->o->config_dir);
	if (dept_registry_load(&ld->reg, path, &found, &err) < 0) {
		runlog_error("%s", err.message);
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
			fprintf(stderr, "load: %s: %s\n", o->paths[i], strerror(errno));
			return EX_NOINPUT;
		}
	return 0;
}

/* Sync the reference dimensions at the start of a writing run. */
static int sync_reference(struct loader *ld)
{
	struct etl_err err;
	bool synced;

	etl_err_clear(&err);
	if (refsync_run(&ld->w, ld->o->config_dir, &ld->reg, &ld->cfg, ld->o->force, &synced,
	                &err) < 0)
		return db_fail(ld, &err);
	if (synced)
		runlog_info("reference data reloaded from %s", ld->o->config_dir);
	return 0;
}

/* Progress on stderr, when it is a terminal ---------------------------------------- */

static struct {
	bool draw; /* this process draws the bar */
	bool tty;  /* stderr is a terminal: clear the bar before other lines */
	long total_files;
	long long total_bytes;
	long files;
	long long rows, bytes;
	double start, last;
} prog;

static void progress_show(bool final)
{
	double now = now_seconds(), el, frac, mbs;
	char bar[24], eta[32] = "--:--";
	int k;

	if (!prog.draw || (!final && now - prog.last < 0.25))
		return;
	prog.last = now;
	el = now - prog.start;
	mbs = el > 0 ? (double)prog.bytes / 1e6 / el : 0;
	frac = prog.total_bytes > 0   ? (double)prog.bytes / (double)prog.total_bytes
	       : prog.total_files > 0 ? (double)prog.files / (double)prog.total_files
	                              : 0;
	if (frac > 1)
		frac = 1;
	if (frac > 0.001 && prog.total_files > 0) {
		long s = (long)(el / frac - el + 0.5);

		snprintf(eta, sizeof(eta), "%ld:%02ld", s / 60, s % 60);
	}
	k = (int)(frac * 20);
	for (int i = 0; i < 20; i++)
		bar[i] = i < k ? '#' : '.';
	bar[20] = '\0';
	if (prog.total_files > 0)
		fprintf(stderr, "\r[%s] %ld/%ld files, %lld rows, %.1f MB/s, ETA %s\033[K", bar,
		        prog.files, prog.total_files, prog.rows, mbs, final ? "0:00" : eta);
	else
		fprintf(stderr, "\r%ld files, %lld rows, %.1f MB/s\033[K", prog.files, prog.rows,
		        mbs);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Before a line of our own on stderr: take the bar away (it comes back). */
static void progress_clear(void)
{
	if (prog.tty)
		fputs("\r\033[K", stderr);
}

static bool progress_tty(void)
{
	return prog.tty;
}

static void progress_add(long files, long long rows, long long bytes)
{
	prog.files += files;
	prog.rows += rows;
	prog.bytes += bytes;
	progress_show(false);
}

/* The table files of the PATHs, as extract finds them ------------------------------- */

struct tfile {
	char *path;
	long long bytes;
	char key[80]; /* "<year>/<dept>" of the <year>/<dept>/ layout, "" outside it */
	const char *dept;
	int worker;
};

struct filelist {
	struct tfile *v;
	size_t n, cap;
};

static int list_add_file(struct filelist *l, const char *path, long long bytes)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct tfile *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	if (!(l->v[l->n].path = strdup(path)))
		return -1;
	l->v[l->n++].bytes = bytes;
	return 0;
}

/* paths_collect callback: keep the file and its size. */
static int list_file(void *ctx, const char *path, long long bytes)
{
	return list_add_file(ctx, path, bytes);
}

static int cmp_tfile(const void *a, const void *b)
{
	return strcmp(((const struct tfile *)a)->path, ((const struct tfile *)b)->path);
}

static void filelist_free(struct filelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Every table file of the PATHs in extract's order; 66 when a PATH has none. */
static int enumerate(const struct opts *o, struct filelist *l)
{
	for (int i = 0; i < o->npaths; i++) {
		size_t before = l->n;

		if (paths_collect(o->paths[i], list_file, l) < 0) {
			fprintf(stderr, "load: %s: %s\n", o->paths[i], strerror(errno));
			return EX_NOINPUT;
		}
		if (l->n == before) {
			fprintf(stderr, "load: %s: no .csv or .csv.gz file\n", o->paths[i]);
			return EX_NOINPUT;
		}
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_tfile);
	return 0;
}

/* extract's folder_identity(): "<year>/<dept>" when the file sits in that layout. */
static void layout_key(struct tfile *t)
{
	char abs[PATH_MAX], *slash, *dept, *year;

	t->key[0] = '\0';
	if (!realpath(t->path, abs))
		snprintf(abs, sizeof(abs), "%s", t->path);
	if (!(slash = strrchr(abs, '/')))
		return;
	*slash = '\0';
	if (!(dept = strrchr(abs, '/')))
		return;
	*dept++ = '\0';
	year = strrchr(abs, '/');
	year = year ? year + 1 : abs;
	if (strlen(year) != 4 || strspn(year, "0123456789") != 4 || !*dept ||
	    strspn(dept, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-") !=
	        strlen(dept) ||
	    atoi(year) < 1990 || atoi(year) > 2100 || strlen(dept) > 60)
		return;
	snprintf(t->key, sizeof(t->key), "%s/%s", year, dept);
	t->dept = t->key + 5;
}

struct deptload {
	const char *dept;
	long long bytes;
	int worker;
};

static int cmp_dept(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_load(const void *a, const void *b)
{
	const struct deptload *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : strcmp(x->dept, y->dept);
}

static int cmp_str_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Split the files between n workers by department (every year of a
 * department goes to one worker, so no table, and no first registration of a
 * department, is written by two), balancing bytes.  false when the files do
 * not allow it: a file outside <year>/<dept>/, or one submission folder met
 * in two places (one pipeline keeps the order then).
 */
static bool split_files(struct filelist *l, int n)
{
	const char **keys = calloc(l->n + 1, sizeof(char *));
	struct deptload *d = calloc(l->n + 1, sizeof(*d));
	long long *load = calloc((size_t)n, sizeof(long long));
	size_t nk = 0, nd = 0;
	bool ok = keys && d && load;

	for (size_t i = 0; ok && i < l->n; i++) {
		layout_key(&l->v[i]);
		if (!l->v[i].key[0])
			ok = false;
		else if (i == 0 || strcmp(l->v[i].key, l->v[i - 1].key) != 0)
			keys[nk++] = l->v[i].key; /* one per run of a submission */
	}
	if (ok && nk) {
		qsort(keys, nk, sizeof(char *), cmp_str_p);
		for (size_t i = 1; ok && i < nk; i++)
			ok = strcmp(keys[i], keys[i - 1]) != 0;
	}
	if (ok) {
		/* departments and their bytes, biggest first to the least loaded worker */
		const char **dv = keys;

		for (size_t i = 0; i < l->n; i++)
			dv[i] = l->v[i].dept;
		qsort(dv, l->n, sizeof(char *), cmp_dept);
		for (size_t i = 0; i < l->n; i++)
			if (nd == 0 || strcmp(d[nd - 1].dept, dv[i]) != 0)
				d[nd++].dept = dv[i];
		for (size_t i = 0; i < l->n; i++) {
			struct deptload key = {l->v[i].dept, 0, 0}, *hit;

			hit = bsearch(&key.dept, d, nd, sizeof(*d), cmp_dept);
			if (hit)
				hit->bytes += l->v[i].bytes;
		}
		qsort(d, nd, sizeof(*d), cmp_load);
		for (size_t i = 0; i < nd; i++) {
			int best = 0;

			for (int w = 1; w < n; w++)
				if (load[w] < load[best])
					best = w;
			d[i].worker = best;
			load[best] += d[i].bytes;
		}
		qsort(d, nd, sizeof(*d), cmp_dept);
		for (size_t i = 0; i < l->n; i++) {
			struct deptload *hit = bsearch(&l->v[i].dept, d, nd, sizeof(*d), cmp_dept);

			l->v[i].worker = hit ? hit->worker : 0;
		}
	}
	free(keys);
	free(d);
	free(load);
	return ok;
}

/* Workers: --jobs N ------------------------------------------------------------------ */

/* A line to the parent (workers only); lines are short, writes whole. */
static void tell_parent(const struct loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tell_parent(const struct loader *ld, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (ld->msgfd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	line[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t w = write(ld->msgfd, line + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (int)w;
	}
}

/*
 * Run extract | normalize (over listfd's files, or the paths given when
 * listfd is -1) and load its stream; child gets the two exit statuses.
 * Returns -1 when the pipeline could not start (the run is stopped).
 */
static int load_through_pipeline(struct loader *ld, int listfd, int child[2])
{
	struct pipeline p;

	if (pipeline_start(&p, ld->o, listfd) < 0) {
		int ignored[2];

		stop_run(ld, EX_OSERR, "cannot start extract | normalize: %s", strerror(errno));
		pipeline_wait(&p, true, ignored);
		return -1;
	}
	read_stream(ld, p.out);
	/* stopped early: the children must not wait on a reader that is gone */
	pipeline_wait(&p, got_signal || ld->fatal, child);
	return 0;
}

/* A worker: its own connection, extract | normalize over its files, batches. */
static int worker_run(struct loader *ld, int listfd)
{
	const char *dsn;
	struct etl_err err;
	int child[2] = {0, 0}, code;

	/*
	 * The parent's connection is not ours: its socket is closed here (so
	 * that the parent's session ends with the parent, and its lock with it)
	 * and its PGconn is never used.
	 */
	if (ld->w.conn && PQsocket(ld->w.conn) >= 0)
		close(PQsocket(ld->w.conn));
	ld->w.conn = NULL;
	ld->connected = false;
	cancel_handle = NULL;
	prog.draw = false;
	etl_err_clear(&err);
	config_resolve_dsn(ld->o->dsn, getenv, &ld->cfg, &dsn);
	if (pgw_connect(&ld->w, dsn, &err) < 0) {
		runlog_error("worker: database unavailable: %s", err.message);
		return EX_UNAVAILABLE;
	}
	ld->connected = true;
	cancel_handle = PQgetCancel(ld->w.conn);
	ld->started = true;
	if (load_through_pipeline(ld, listfd, child) < 0)
		return ld->fatal;
	code = merge_codes(ld, child);
	if (got_signal)
		code = EX_INTERRUPTED_BASE + got_signal;
	for (int i = 0; i < ld->nlisted_checks; i++)
		tell_parent(ld, "K %s", ld->listed_checks[i]);
	for (int i = 0; i < ld->nunregistered; i++)
		tell_parent(ld, "U %s", ld->unregistered[i]);
	tell_parent(ld, "N %ld %ld %ld %ld %lld %lld %lld %ld %d", ld->n.files_seen,
	            ld->n.files_loaded, ld->n.files_unchanged, ld->n.files_rejected,
	            ld->n.rows_read, ld->n.rows_loaded, ld->n.rows_rejected, ld->n.checks_failed,
	            ld->any_reject);
	return code;
}

/* A worker's message: progress, a failed check or unregistered name, its counts. */
static void on_message(struct loader *ld, char *line)
{
	struct counts c;
	int any = 0;

	if (line[0] == 'P') {
		long f = 0;
		long long r = 0, b = 0;

		if (sscanf(line + 1, "%ld %lld %lld", &f, &r, &b) == 3)
			progress_add(f, r, b);
	} else if (line[0] == 'K' && line[1] == ' ') {
		list_add(ld->listed_checks, &ld->nlisted_checks, line + 2);
	} else if (line[0] == 'U' && line[1] == ' ') {
		if (!list_has(ld->unregistered, ld->nunregistered, line + 2))
			list_add(ld->unregistered, &ld->nunregistered, line + 2);
	} else if (line[0] == 'N' &&
	           sscanf(line + 1, "%ld %ld %ld %ld %lld %lld %lld %ld %d", &c.files_seen,
	                  &c.files_loaded, &c.files_unchanged, &c.files_rejected, &c.rows_read,
	                  &c.rows_loaded, &c.rows_rejected, &c.checks_failed, &any) == 9) {
		ld->n.files_seen += c.files_seen;
		ld->n.files_loaded += c.files_loaded;
		ld->n.files_unchanged += c.files_unchanged;
		ld->n.files_rejected += c.files_rejected;
		ld->n.rows_read += c.rows_read;
		ld->n.rows_loaded += c.rows_loaded;
		ld->n.rows_rejected += c.rows_rejected;
		ld->n.checks_failed += c.checks_failed;
		ld->any_reject |= any != 0;
	}
}

struct worker {
	pid_t pid;
	int fd; /* messages, -1 at their end */
	char buf[4096];
	size_t len;
	int code;
};

/*
 * --jobs N: N workers over disjoint departments, each with its own
 * extract | normalize and its own connection; this process keeps the run
 * (its row, the lock, the refresh) and adds up their counts.
 */
static int run_workers(struct loader *ld, struct filelist *l, int n)
{
	struct worker *w = calloc((size_t)n, sizeof(*w));
	int code = 0, fatal = 0, stopped = 0;
	bool killed = false;

	if (!w)
		return stop_run(ld, EX_OSERR, "%s", "out of memory"), ld->fatal;
	ld->started = true;
	for (int k = 0; k < n; k++) {
		FILE *list = tmpfile();
		int fds[2];

		w[k].fd = -1;
		if (!list || pipe(fds) < 0) {
			if (list)
				fclose(list);
			stop_run(ld, EX_OSERR, "cannot start worker %d: %s", k + 1,
			         strerror(errno));
			break;
		}
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].worker == k)
				fwrite(l->v[i].path, 1, strlen(l->v[i].path) + 1, list);
		fflush(list);
		rewind(list);
		fflush(NULL);
		w[k].pid = fork();
		if (w[k].pid == 0) {
			/* a worker does not outlive the run (kill -9 of load stops it too) */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				_exit(EX_INTERRUPTED_BASE + SIGTERM);
			close(fds[0]);
			for (int j = 0; j < k; j++)
				if (w[j].fd >= 0)
					close(w[j].fd);
			ld->msgfd = fds[1];
			_exit(worker_run(ld, fileno(list)));
		}
		fclose(list);
		close(fds[1]);
		if (w[k].pid < 0) {
			close(fds[0]);
			stop_run(ld, EX_OSERR, "cannot start worker %d: %s", k + 1,
			         strerror(errno));
			break;
		}
		w[k].fd = fds[0];
	}
	for (;;) {
		struct pollfd pf[64];
		int map[64], np = 0;

		if ((got_signal || ld->fatal || fatal) && !killed) {
			for (int k = 0; k < n; k++)
				if (w[k].pid > 0)
					kill(w[k].pid, SIGTERM);
			killed = true;
		}
		for (int k = 0; k < n && np < 64; k++)
			if (w[k].fd >= 0) {
				pf[np].fd = w[k].fd;
				pf[np].events = POLLIN;
				map[np++] = k;
			}
		if (np == 0)
			break;
		if (poll(pf, (nfds_t)np, 250) < 0 && errno != EINTR)
			break;
		progress_show(false);
		for (int i = 0; i < np; i++) {
			struct worker *x = &w[map[i]];
			ssize_t r;
			char *nl;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(x->fd, x->buf + x->len, sizeof(x->buf) - 1 - x->len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				int status = 0;

				close(x->fd);
				x->fd = -1;
				while (waitpid(x->pid, &status, 0) < 0 && errno == EINTR)
					;
				x->pid = 0;
				x->code = WIFEXITED(status) ? WEXITSTATUS(status)
				          : WIFSIGNALED(status)
				              ? EX_INTERRUPTED_BASE + WTERMSIG(status)
				              : EX_SOFTWARE;
				/* the first worker that fails stops the others */
				if (x->code != EX_OK && x->code != EX_DATAERR && !fatal && !killed)
					fatal = x->code;
				stopped++;
				continue;
			}
			x->len += (size_t)r;
			x->buf[x->len] = '\0';
			while ((nl = memchr(x->buf, '\n', x->len))) {
				*nl = '\0';
				on_message(ld, x->buf);
				x->len -= (size_t)(nl + 1 - x->buf);
				memmove(x->buf, nl + 1, x->len);
			}
			if (x->len == sizeof(x->buf) - 1)
				x->len = 0; /* a line too long: dropped */
		}
	}
	for (int k = 0; k < n; k++)
		if (w[k].code == EX_DATAERR)
			ld->any_reject = true;
	free(w);
	(void)stopped;
	if (ld->fatal)
		code = ld->fatal;
	else if (fatal)
		code = fatal;
	else
		code = ld->any_reject ? EX_DATAERR : EX_OK;
	if (fatal && !ld->fatal)
		ld->fatal = fatal;
	return code;
}

/* Read the stream from the pipeline or stdin, then collect the children. */
static int run_stream(struct loader *ld)
{
	int child[2] = {0, 0};

	ld->started = true;
	if (ld->o->npaths == 0) {
		read_stream(ld, stdin);
		return merge_codes(ld, child);
	}
	if (load_through_pipeline(ld, -1, child) < 0)
		return ld->fatal;
	return merge_codes(ld, child);
}

/*
 * The input: stdin, or the PATHs through one extract | normalize, or through
 * --jobs N workers.  A progress bar on stderr when it is a terminal.
 */
static int run_input(struct loader *ld)
{
	struct filelist l = {0};
	int code, jobs = ld->o->jobs > 64 ? 64 : (int)ld->o->jobs;

	prog.tty = isatty(2) && !ld->o->quiet;
	if (ld->o->npaths > 0 && (prog.tty || (jobs > 1 && !ld->o->dry_run))) {
		if ((code = enumerate(ld->o, &l))) {
			filelist_free(&l);
			return code;
		}
		prog.total_files = (long)l.n;
		for (size_t i = 0; i < l.n; i++)
			prog.total_bytes += l.v[i].bytes;
	}
	prog.draw = prog.tty;
	prog.start = prog.last = now_seconds();
	if (jobs > 1 && !ld->o->dry_run && l.n > 1 && split_files(&l, jobs))
		code = run_workers(ld, &l, jobs);
	else {
		if (jobs > 1 && !ld->o->dry_run && l.n > 1)
			runlog_info(
			    "--jobs %d: files outside the <year>/<dept>/ layout, or a submission"
			    " folder met twice: one pipeline keeps their order",
			    jobs);
		code = run_stream(ld);
	}
	if (prog.draw && prog.files)
		progress_show(true);
	prog.draw = prog.tty = false;
	filelist_free(&l);
	return code;
}

/* Everything after the options: the exit code. */
static int run(struct loader *ld, int argc, char **argv)
{
	int code;

	if ((code = read_config(ld)))
		return code;
	if (!ld->o->withdraw && (code = check_paths(ld->o)))
		return code;
	if (ld->o->dry_run)
		return run_input(ld);
	if ((code = db_open(ld)))
		return code;
	if (ld->o->migrate)
		return EX_OK;
	if (run_begin(ld, argc, argv) < 0)
		return ld->fatal;
	if (ld->o->withdraw)
		code = withdraw(ld, ld->o->paths[0], ld->o->paths[1]) < 0 ? ld->fatal : EX_OK;
	else if (sync_reference(ld) < 0)
		code = ld->fatal;
	else {
		code = run_input(ld);
		if (!ld->fatal && !got_signal && refresh(ld) < 0)
			code = ld->fatal;
	}
	if (got_signal)
		code = EX_INTERRUPTED_BASE + got_signal;
	run_end(ld, code);
	return code;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct loader ld;
	int code;

	if (parse_options(argc, argv, &o) < 0 || check_usage(&o) < 0)
		return EX_USAGE;
	if (locate(&o) < 0)
		return EX_SOFTWARE;
	runlog_init("load", o.quiet);
	install_signals();
	memset(&ld, 0, sizeof(ld));
	ld.o = &o;
	ld.msgfd = -1;
	if (!getcwd(ld.cwd, sizeof(ld.cwd)))
		ld.cwd[0] = '\0';
	code = run(&ld, argc, argv);
	if (got_signal) {
		code = EX_INTERRUPTED_BASE + got_signal;
		runlog_error("interrupted by signal %d: the table in flight was rolled back",
		             (int)got_signal);
	}
	if (ld.started && !o.dry_run && ld.w.conn && PQstatus(ld.w.conn) == CONNECTION_OK &&
	    !got_signal)
		report_shared_names(&ld);
	if (ld.started)
		summary(&ld, code);
	loader_free(&ld);
	return code;
}
