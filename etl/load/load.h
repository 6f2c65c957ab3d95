/*
 * load.h: what the files of the load program share (private to etl/load/).
 *
 * A run is split in three parts (docs/internals.md, "load"):
 *
 *   struct run    the parent only: options, configuration, the registry, the
 *                 run's own connection (etl.runs row, lock, refresh) and the
 *                 exit code.  Created once in main.c.
 *   struct sink   one per pipeline: reads one row stream and writes it in
 *                 batches through its connection (the run's in a single
 *                 pipeline, its own in a --jobs worker: a connection never
 *                 crosses fork()).
 *   struct tally  what the summary reports: counts, failed checks,
 *                 unregistered departments.  A worker sends its tally to the
 *                 parent as W records (stream.h), read back by tally_read().
 *
 * Files: main.c (the order of a run), signals.c, cli.c (options), runrow.c
 * (connection, lock, etl.runs, refresh, withdraw), consume.c (the stream's
 * records), ledger.c (what "unchanged" compares with), store.c (the COPY
 * targets, each column list beside the code that writes its fields),
 * batch.c (batches and their transactions), pipeline.c (extract |
 * normalize), files.c (the input files and their split by department),
 * workers.c (--jobs), summary.c (summary and progress bar).
 *
 * Conventions: functions return 0 or -1; a fatal problem is recorded once
 * with run_stop() (exit code and message); only main() exits.
 */
#ifndef ETL_LOAD_H
#define ETL_LOAD_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sysexits.h>

#include "config.h"
#include "err.h"
#include "pgwriter.h"
#include "stream.h"

#define EX_INTERRUPTED_BASE 128
#define MAX_LISTED          200  /* failed checks and unregistered names kept for the summary */
#define MAX_SUBMISSIONS     4096 /* submissions with a failed check, for --strict-checks */

/* Set by the SIGINT/SIGTERM handler (signals.c); read everywhere a run may stop. */
extern volatile sig_atomic_t got_signal;
/* The statement in flight is cancelled through it (the handler, signals.c). */
extern PGcancel *volatile cancel_handle;
/* SIGINT/SIGTERM set got_signal; SIGPIPE is ignored (signals.c). */
void install_signals(void);

/* ---- cli.c ------------------------------------------------------------------ */

struct opts {
	const char *dsn;
	bool dry_run, accept_partial, strict, force, quiet, wait, migrate, withdraw;
	bool psql, print_dsn_source;
	long jobs;
	const char *config_dir_opt;
	const char
	    *stage; /* --stage of --withdraw: budget, adjusted or final (NULL: the one loaded) */
	char **paths;
	int npaths;
	char bindir[PATH_MAX];
	char home[PATH_MAX];
	char config_dir[PATH_MAX];
	char sql_dir[PATH_MAX];
};

/* Parse argv; 0, EX_USAGE (said why), or -1 after --help. */
int cli_parse(int argc, char **argv, struct opts *o);
/* bindir, home, config/ and sql/; 0 or -1 (said why). */
int cli_locate(struct opts *o);

/* ---- the three parts of a run ---------------------------------------------- */

enum file_status { ST_LOADED, ST_UNCHANGED, ST_REJECTED, ST_SKIPPED };

struct sub_key {
	int year;
	char dept[64];
};

struct tally {
	long files_seen, files_loaded, files_unchanged, files_rejected, files_skipped;
	long long rows_read, rows_loaded, rows_rejected;
	long checks_failed;
	bool any_reject;
	char *listed_checks[MAX_LISTED]; /* "2023/109001 表1 name subject: message" */
	int nlisted_checks;
	char *unregistered[MAX_LISTED]; /* "code name" */
	int nunregistered;
	char *orphan_units[MAX_LISTED]; /* "code name": a unit's tables, no parent_code */
	int norphan_units;
};

struct run {
	struct opts *o;
	struct etl_config cfg;
	struct dept_registry reg;
	char cwd[PATH_MAX];
	struct pgw w; /* the run's connection */
	bool connected;
	struct pgw lock; /* holds the run lock for the whole run (runrow.c) */
	long long run_id;
	char run_text[24];
	int fatal;    /* exit code that stops the run, 0 while all is well */
	bool started; /* input was read: a summary is due */
	struct tally t;
};

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
	long long bytes;
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

/* ledger.c: the loaded tables of the submissions met in the current batch. */
struct ledger {
	struct known_sha *known;
	int nknown, capknown;
	struct sub_key *fetched; /* (year, dept) whose loaded tables are in known */
	int nfetched, capfetched;
};

/*
 * Files waiting for their transaction: one transaction writes many tables
 * (set-based deletes, one COPY stream per target table), each table still
 * replaced whole or not at all.
 */
enum batch_rows { ROWS_FACTS, ROWS_PROJECTS, ROWS_INDICATORS, ROWS_N };

struct batch {
	struct file_state *f;
	int n, cap;
	struct pgw_buf rows[ROWS_N]; /* COPY text after file_id, in file order */
	struct pgw_buf checks;       /* etl.checks rows after run_id */
	double started;              /* when its first file or check came */
};

struct flight; /* batch.c: the batch being written while the next is read */

struct sink {
	struct run *run;
	const struct opts *o;
	struct pgw *w;    /* &run->w, or &own in a worker: where batches are written */
	struct pgw own;   /* a worker's own connection */
	struct pgw *lw;   /* where the ledger reads: w, or &rconn while a batch is in flight */
	struct pgw rconn; /* the reader's own connection (overlapped writing) */
	struct flight *flight;
	bool is_writer;      /* the writer thread's sink: its rejects are merged by the reader */
	bool any_rejected;   /* (writer) a table was rejected by the server */
	bool db_broken;      /* a database step failed: nothing more is written */
	bool refresh_marked; /* etl.state refresh_pending committed by this sink */
	int msgfd;           /* a worker: W records to the parent, else -1 */
	struct batch b;
	struct ledger ledger;
	struct file_state f; /* the file being read */
	bool seen_header, stream_broken;
	long lineno;            /* stream line being handled */
	struct sub_key *failed; /* submissions with a failed check (--strict-checks) */
	int nfailed;
	char *warned[64]; /* warned once each: unknown keys, renamed departments */
	int nwarned;
};

/* ---- main.c / runrow.c ------------------------------------------------------- */

/* Record a fatal stop (the first one wins), say why, and return -1. */
int run_stop(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Exit code of a failed database step (from err->reason, or the signal). */
int db_code(const struct etl_err *err);
/*
 * A database step on the run's connection (or, _on, on w) failed: stop with
 * its exit code; a lock or statement timeout names who holds locks.  -1.
 */
int run_db_fail(struct run *r, const struct etl_err *err);
int run_db_fail_on(struct run *r, struct pgw *w, const struct etl_err *err);

/* Connect (69), take the lock (75) and migrate (78/69/70); 0 when ready. */
int run_db_open(struct run *r);
int run_begin(struct run *r, int argc, char **argv);
void run_end(struct run *r, int code);
int run_refresh(struct run *r);
int run_withdraw(struct run *r, const char *year, const char *dept, const char *stage);
int run_sync_reference(struct run *r);
void run_report_shared_names(struct run *r);
/*
 * --psql: exec psql on the run's database with the PATHs as psql's
 * arguments, the conninfo handed over in libpq's environment variables
 * (PGHOST, PGPASSWORD ...), never on a command line that ps shows.
 * Returns only on failure (the exit code).
 */
int run_exec_psql(struct run *r);
/* --print-dsn-source: where the database comes from (for run.sh); 0. */
int run_print_dsn_source(struct run *r);

/* ---- tally (summary.c) ------------------------------------------------------ */

/* Keep a copy of s in a bounded list; false when the list is full. */
bool list_add(char **list, int *n, const char *s);
bool list_has(char *const *list, int n, const char *s);
void tally_free(struct tally *t);
/* Count one file whose fate is sealed, and move the progress bar. */
void tally_file(struct tally *t, enum file_status st, long long records, long long loaded,
                long long rejected, long long bytes);
/* A worker's tally as W records on fd. */
void tally_write(const struct tally *t, int fd);
/* Add one W record of a worker (progress, check, unregistered, counts) to t. */
void tally_read(struct tally *t, const struct stream_rec *rec);
/* Write one W record to fd (whole, retried on EINTR). */
void message_write(int fd, int n, const char *const *fields);

/* ---- summary.c: summary and progress bar ------------------------------------ */

void summary_print(const struct run *r, int code);
/* Monotonic seconds (batch deadlines, the bar): never an amount. */
double now_seconds(void);
void progress_setup(bool tty, long total_files, long long total_bytes);
void progress_add(long files, long long rows, long long bytes);
void progress_show(bool final);
void progress_clear(void);
bool progress_tty(void);
/* A worker draws nothing: its parent does. */
void progress_stop_drawing(void);
void progress_finish(void);

/* ---- sink (consume.c, batch.c, ledger.c, store.c) ---------------------------- */

/* A sink on the run's connection (shared == true) or, in a worker, its own. */
int sink_init(struct sink *s, struct run *r, bool shared);
void sink_free(struct sink *s);
/* Read the whole stream; stops at the first fatal problem or a signal. */
void sink_read_stream(struct sink *s, FILE *in);
/* Queue a reject of file f and print it (path:line: reason: message). */
void sink_reject(struct sink *s, struct file_state *f, const char *line, const char *column,
                 const char *reason, const char *message, const char *raw);
/* Count a file whose fate is sealed (committed, or a dry run) and say so. */
void sink_file_done(struct sink *s, const struct file_state *f);
void file_state_free(struct file_state *f);
const char *file_status_name(enum file_status s);

void batch_touch(struct batch *b);
bool batch_due(const struct batch *b, char *const *f);
struct pgw_buf *batch_rows(struct batch *b, enum batch_rows which);
size_t *file_range(struct file_state *f, enum batch_rows which);
void batch_free(struct batch *b);
/*
 * Hand the batch to be written; a table the server refuses is rejected, the
 * run goes on.  With batch_overlap() on, the batch is written by a writer
 * thread while the next one is read (at most one in flight: a second flush
 * waits for the first), else here and now.  -1 when the run must stop.
 */
int batch_flush(struct sink *s);
/*
 * Write batches on a thread of their own from now on, the ledger reading on
 * a second connection to dsn.  0, or -1 when that connection fails (writing
 * stays synchronous; nothing is lost).
 */
int batch_overlap(struct sink *s, const char *dsn);
/* Wait for the batch in flight and count its files; -1 when it failed (the run stops). */
int batch_settle(struct sink *s);
/* Whether a table of year/dept/stage/kind f is in the batch in flight. */
bool batch_in_flight(const struct sink *s, char *const *f);
/* Stop the writer thread and close the reader's connection. */
void batch_overlap_end(struct sink *s);

/* sha256 of the loaded version of the sink's current file's table ("" when none). */
int ledger_loaded_sha(struct sink *s, char *sha, size_t size, struct etl_err *err);
void ledger_clear(struct ledger *l);
void ledger_free(struct ledger *l);

/* Row builders (store.c): append to the batch; 0 or -1 (fatal, said why). */
int store_fact_rows(struct sink *s, const struct stream_rec *r);
void store_project_row(struct sink *s, const struct stream_rec *r);
int store_indicator_row(struct sink *s, const struct stream_rec *r);
/* One etl.checks row from the C fields c[C_YEAR .. C_ALLOWANCE] (NULL or "" = NULL). */
int store_check_row(struct sink *s, const char *const *c, bool passed);
/* The writes of one transaction (store.c), files [from, to) of the batch. */
int store_file_ids(struct sink *s, int n, long long *ids, struct etl_err *err);
int store_files(struct sink *s, int from, int to, const long long *ids, struct etl_err *err);
int store_register_department(struct sink *s, const struct file_state *f, struct etl_err *err);
int store_replace_group(struct sink *s, int first, int to, const long long *ids, int from,
                        struct etl_err *err);
int store_rows(struct sink *s, enum batch_rows which, int from, int to, const long long *ids,
               struct etl_err *err);
int store_years(struct sink *s, int from, int to, struct etl_err *err);
int store_rejects_checks(struct sink *s, int from, int to, bool checks, struct etl_err *err);
bool same_submission(const struct file_state *a, const struct file_state *b);

/* ---- pipeline.c, files.c, workers.c ------------------------------------------ */

/*
 * Run extract | normalize (over listfd's files, or the run's PATHs when
 * listfd is -1) into the sink; child gets the two exit statuses.  -1 when
 * the pipeline could not start (the run is stopped).
 */
int pipeline_load(struct sink *s, int listfd, int child[2]);
/* The exit code of a run from its own state and the children's codes. */
int merge_codes(const struct run *r, bool stream_broken, const int child[2]);

struct tfile {
	char *path;
	long long bytes;
	int year; /* from the <year>/<dept>/ layout, 0 outside it */
	char dept[64];
	int worker;
};

struct filelist {
	struct tfile *v;
	size_t n, cap;
};

/* Every table file of the PATHs in extract's order; 0, or 66 when a PATH has none. */
int files_enumerate(const struct opts *o, struct filelist *l);
/* Split by department between n workers; false when the layout does not allow it. */
bool files_split(struct filelist *l, int n);
void files_free(struct filelist *l);

/* --jobs N: run the workers and add up their tallies; the run's exit code. */
int workers_run(struct run *r, struct filelist *l, int n);

#endif
