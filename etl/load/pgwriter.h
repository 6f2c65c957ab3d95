/*
 * pgwriter: the PostgreSQL side of the load stage: connection, run lock,
 * statements with bound parameters, scripts, and COPY.
 *
 * Values reach the server only as bound parameters (PQexecParams) or as COPY
 * text rows; no value is ever pasted into SQL text.  COPY follows psql and
 * pgcopydb: COPY ... FROM STDIN, PQputCopyData in chunks of PGW_COPY_CHUNK
 * bytes, PQputCopyEnd (with an error message to abort), then the result is
 * checked and PQgetResult drained.
 *
 * Errors: -1 with err filled; err->reason says what the caller should do:
 *   "db_unavailable" the server is gone, refuses connections or is out of
 *                    disk, memory or connections (SQLSTATE class 08, 53,
 *                    58, 57P01..57P03, PQstatus bad, or libpq's words for a
 *                    connection lost between statements)        -> exit 69
 *   "db_timeout"     lock_timeout or statement_timeout expired (55P03,
 *                    57014)                                     -> exit 75
 *   "db_denied"      insufficient privilege (42501)             -> exit 78
 *   "db_data"        the server refused a value (class 22, 23)  -> reject
 *                    the table, the run goes on
 *   "db_error"       anything else                              -> exit 70
 *   "bad_config"     a migration file cannot be read            -> exit 78
 * w->sqlstate keeps the last SQLSTATE ("" when none).  Messages never hold a
 * conninfo or password: only what the server said.
 *
 * Ownership: struct pgw owns its PGconn until pgw_close().  Results handed
 * out through a PGresult ** belong to the caller (PQclear).  struct pgw_copy
 * owns its buffer until pgw_copy_end().
 */
#ifndef ETL_PGWRITER_H
#define ETL_PGWRITER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "copytext.h"

/* pg_advisory_lock key, held only while a new database gets etl.run_lock. */
#define PGW_LOCK_KEY   "27988436066706540"
#define PGW_COPY_CHUNK (1 << 20)

struct pgw {
	PGconn *conn;
	char sqlstate[6];
};

/*
 * Connect with conninfo ("" lets libpq use the PG* variables); sets
 * application_name and client_encoding UTF8.
 */
int pgw_connect(struct pgw *w, const char *conninfo, struct etl_err *err);
void pgw_close(struct pgw *w);

/* "host:port/dbname" of the connection (never the conninfo) into buf. */
char *pgw_describe(const struct pgw *w, char *buf, size_t size);

/*
 * Run one statement with n text parameters (NULL = SQL NULL).  On success
 * returns 0 and, when res is not NULL, hands the result to the caller.
 */
int pgw_exec(struct pgw *w, const char *sql, int n, const char *const *params, PGresult **res,
             struct etl_err *err);

/* The first column of the first row of a one-row query into buf ("" if NULL). */
int pgw_query_value(struct pgw *w, const char *sql, int n, const char *const *params, char *buf,
                    size_t size, struct etl_err *err);

int pgw_begin(struct pgw *w, struct etl_err *err);
int pgw_commit(struct pgw *w, struct etl_err *err);
/* Roll back the open transaction, if any; failures are ignored (the connection may be gone). */
void pgw_rollback(struct pgw *w);

/*
 * Set etl.state refresh_pending (why: what changed) and add the fiscal years
 * changed to etl.refresh_years (years: a smallint[] literal such as
 * "{2023,2024}", NULL for every year), in the caller's transaction, so that
 * their aggregates are recomputed by this run or the next.
 */
int pgw_mark_refresh(struct pgw *w, const char *why, const char *years, struct etl_err *err);

/* Connect with another application_name (the run lock's connection). */
int pgw_connect_as(struct pgw *w, const char *conninfo, const char *app, struct etl_err *err);

/* SET lock_timeout for the session ("60s", "0" = wait forever). */
int pgw_set_lock_timeout(struct pgw *w, const char *timeout, struct etl_err *err);

/*
 * Take the run lock on w, a connection of its own, and keep its transaction
 * open until the connection closes.  wait false: *got false when another
 * session holds it, with holder describing it ("role …, application …, pid
 * …, since …").  wait true: block until it is free.
 */
int pgw_run_lock(struct pgw *w, bool wait, bool *got, char *holder, size_t size,
                 struct etl_err *err);

/* The advisory lock that guards the creation of etl.run_lock (take or release). */
int pgw_bootstrap_lock(struct pgw *w, bool take, struct etl_err *err);

/*
 * The sessions other than w's holding locks on tables of core, etl and mart
 * (who a lock_timeout waited for), as one line into buf.
 */
int pgw_lock_holders(struct pgw *w, char *buf, size_t size, struct etl_err *err);

/*
 * Run a script of several statements (a migration or view file) with the
 * simple query protocol, in the caller's transaction; what names it in
 * messages.
 */
int pgw_exec_script(struct pgw *w, const char *sql, const char *what, struct etl_err *err);

/* One COPY ... FROM STDIN in progress. */
struct pgw_copy {
	struct pgw *w;
	char *buf; /* owned, PGW_COPY_CHUNK bytes */
	size_t len;
	bool failed;
};

/* Start sql ("COPY t (cols) FROM STDIN"). */
int pgw_copy_begin(struct pgw_copy *c, struct pgw *w, const char *sql, struct etl_err *err);

/* Queue len bytes of COPY text (whole or partial rows); sent in chunks. */
int pgw_copy_put(struct pgw_copy *c, const char *data, size_t len, struct etl_err *err);

/*
 * Queue every line of text (n bytes of '\n'-terminated COPY rows) with
 * prefix written before each line.
 */
int pgw_copy_lines(struct pgw_copy *c, const char *prefix, const char *text, size_t n,
                   struct etl_err *err);

/*
 * Finish: abort_msg NULL sends the rest and ends the COPY, checking its
 * result; otherwise the COPY is aborted with that message (the caller then
 * rolls back).  Frees the buffer in every case.
 */
int pgw_copy_end(struct pgw_copy *c, const char *abort_msg, struct etl_err *err);

/*
 * One whole COPY: sql, then every '\n'-terminated line of text (n bytes)
 * with prefix before each, then the end.  Nothing is run when n is 0.
 */
int pgw_copy_text(struct pgw *w, const char *sql, const char *prefix, const char *text, size_t n,
                  struct etl_err *err);

/*
 * conninfo without its password, for the audit trail: the keywords libpq
 * parsed from it as "key=value ..." into buf; "(unparsable)" when libpq
 * cannot read it.
 */
char *pgw_redact_conninfo(const char *conninfo, char *buf, size_t size);

/* True when err->reason says the database went away. */
bool pgw_unavailable(const struct etl_err *err);
/* True when a lock_timeout or statement_timeout expired. */
bool pgw_timeout(const struct etl_err *err);

#endif
