#include "pgwriter.h"
#include "pgconn.h"
#include "textnorm.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * libpq's words for a connection that died between statements: the result
 * has no SQLSTATE and PQstatus may still say CONNECTION_OK.
 */
static bool lost_connection(const char *message)
{
	static const char *const words[] = {
	    "server closed the connection",
	    "no connection to the server",
	    "could not receive data",
	    "could not send data",
	    "connection to server was lost",
	    "terminating connection",
	    "SSL SYSCALL error",
	    "SSL connection has been closed",
	    "lost synchronization with server",
	};

	for (size_t i = 0; message && i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(message, words[i]))
			return true;
	return false;
}

/* Pick the reason code for a failed call from SQLSTATE and connection state. */
static const char *classify(const struct pgw *w, const char *state, const char *message)
{
	if (!w->conn || PQstatus(w->conn) == CONNECTION_BAD)
		return "db_unavailable";
	if (!state || !*state)
		return lost_connection(message) ? "db_unavailable" : "db_error";
	/* lost, shut down, or out of disk/memory/connections: the server is not there for us */
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
	    strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0)
		return "db_unavailable";
	/* lock_timeout, statement_timeout (or a cancel of ours: the caller knows) */
	if (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return "db_timeout";
	if (strcmp(state, "42501") == 0)
		return "db_denied";
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		return "db_data";
	return "db_error";
}

/*
 * Fill err from a failed result (res may be NULL: the connection's message is
 * used) and return -1.  what names the step ("COPY core.fact_amount").
 */
static int fail_res(struct pgw *w, const PGresult *res, const char *what, struct etl_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	char msg[ETL_ERR_MSG / 2];

	snprintf(w->sqlstate, sizeof(w->sqlstate), "%s", state ? state : "");
	pgconn_chomp(msg, sizeof(msg), primary ? primary : w->conn ? PQerrorMessage(w->conn) : "");
	/* detail and context whole as far as the message holds, cut on a character */
	etl_fail(err, classify(w, state, msg), 0, NULL, "%s: %s%s%.300s%s%.200s%s", what, msg,
	         detail ? " (" : "", detail ? detail : "", context ? "; " : "",
	         context ? context : "", detail ? ")" : "");
	text_utf8_cut(err->message);
	return -1;
}

int pgw_connect(struct pgw *w, const char *conninfo, struct etl_err *err)
{
	return pgw_connect_as(w, conninfo, "budget-etl load", err);
}

int pgw_connect_as(struct pgw *w, const char *conninfo, const char *app, struct etl_err *err)
{
	memset(w, 0, sizeof(*w));
	w->conn = pgconn_open(conninfo, app, err);
	return w->conn ? 0 : -1;
}

void pgw_close(struct pgw *w)
{
	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
}

char *pgw_describe(const struct pgw *w, char *buf, size_t size)
{
	return pgconn_describe(w->conn, buf, size);
}

int pgw_exec(struct pgw *w, const char *sql, int n, const char *const *params, PGresult **res,
             struct etl_err *err)
{
	PGresult *r = PQexecParams(w->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		char what[64];

		/* the statement's first words say which step failed */
		snprintf(what, sizeof(what), "%.40s", sql);
		fail_res(w, r, what, err);
		PQclear(r);
		return -1;
	}
	w->sqlstate[0] = '\0';
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

int pgw_query_value(struct pgw *w, const char *sql, int n, const char *const *params, char *buf,
                    size_t size, struct etl_err *err)
{
	PGresult *r;

	if (pgw_exec(w, sql, n, params, &r, err) < 0)
		return -1;
	snprintf(buf, size, "%s",
	         PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

int pgw_begin(struct pgw *w, struct etl_err *err)
{
	return pgw_exec(w, "BEGIN", 0, NULL, NULL, err);
}

int pgw_commit(struct pgw *w, struct etl_err *err)
{
	return pgw_exec(w, "COMMIT", 0, NULL, NULL, err);
}

void pgw_rollback(struct pgw *w)
{
	PGTransactionStatusType t;

	if (!w->conn || PQstatus(w->conn) != CONNECTION_OK)
		return;
	/* only when a transaction is open: a ROLLBACK outside one makes the
	 * server log "there is no transaction in progress" on every run */
	t = PQtransactionStatus(w->conn);
	if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
		PQclear(PQexec(w->conn, "ROLLBACK"));
}

int pgw_mark_refresh(struct pgw *w, const char *why, const char *years, struct etl_err *err)
{
	const char *const p[] = {why};
	const char *const py[] = {years ? years : "{0}"};

	if (pgw_exec(w,
	             "INSERT INTO etl.refresh_years (fiscal_year) SELECT unnest($1::smallint[])"
	             " ON CONFLICT DO NOTHING",
	             1, py, NULL, err) < 0)
		return -1;
	return pgw_exec(w,
	                "INSERT INTO etl.state (key, value) VALUES ('refresh_pending', $1)"
	                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
	                1, p, NULL, err);
}

int pgw_set_lock_timeout(struct pgw *w, const char *timeout, struct etl_err *err)
{
	const char *const p[] = {timeout};

	return pgw_exec(w, "SELECT set_config('lock_timeout', $1, false)", 1, p, NULL, err);
}

/*
 * Who holds locks on the tables of core, etl and mart, other than this
 * session: role, application, pid, since when, which table and mode.
 */
int pgw_lock_holders(struct pgw *w, char *buf, size_t size, struct etl_err *err)
{
	PGresult *r;
	size_t len = 0;

	buf[0] = '\0';
	if (pgw_exec(
	        w,
	        "SELECT DISTINCT a.pid, coalesce(a.usename, '?'),"
	        " coalesce(nullif(a.application_name, ''), '-'),"
	        " to_char(coalesce(a.xact_start, a.backend_start), 'YYYY-MM-DD HH24:MI:SS TZ'),"
	        " n.nspname || '.' || c.relname, l.mode"
	        " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
	        " JOIN pg_class c ON c.oid = l.relation"
	        " JOIN pg_namespace n ON n.oid = c.relnamespace"
	        " WHERE l.granted AND l.pid <> pg_backend_pid()"
	        " AND n.nspname IN ('core', 'etl', 'mart')"
	        " AND l.mode NOT IN ('AccessShareLock')"
	        " ORDER BY 1, 5 LIMIT 5",
	        0, NULL, &r, err) < 0)
		return -1;
	for (int i = 0; i < PQntuples(r) && len + 1 < size; i++) {
		int n = snprintf(buf + len, size - len,
		                 "%spid %s (role %s, application \"%s\", since %s) holds %s on %s",
		                 i ? "; " : "", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		                 PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 5),
		                 PQgetvalue(r, i, 4));

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	PQclear(r);
	return 0;
}

/*
 * The run lock is a row lock on etl.run_lock, held by a transaction that
 * stays open on a connection of its own for the whole run: SELECT ... FOR
 * UPDATE needs UPDATE on the table, which budget_loader has and
 * budget_reader has not (an advisory lock anybody can take).  When the
 * process ends, the connection and the lock go with it.
 */
int pgw_run_lock(struct pgw *w, bool wait, bool *got, char *holder, size_t size,
                 struct etl_err *err)
{
	PGresult *r;

	*got = false;
	holder[0] = '\0';
	if (pgw_begin(w, err) < 0 ||
	    pgw_exec(w, "SET LOCAL idle_in_transaction_session_timeout = 0", 0, NULL, NULL, err) <
	        0 ||
	    (wait && pgw_exec(w, "SET LOCAL lock_timeout = 0", 0, NULL, NULL, err) < 0))
		return -1;
	if (pgw_exec(w,
	             wait ? "SELECT 1 FROM etl.run_lock WHERE id = 1 FOR UPDATE"
	                  : "SELECT 1 FROM etl.run_lock WHERE id = 1 FOR UPDATE NOWAIT",
	             0, NULL, &r, err) == 0) {
		*got = PQntuples(r) == 1;
		PQclear(r);
		if (!*got)
			return etl_fail(err, "db_error", 0, NULL, "etl.run_lock has no row 1");
		return 0;
	}
	if (strcmp(w->sqlstate, "55P03") != 0)
		return -1;
	pgw_rollback(w);
	if (pgw_query_value(
	        w,
	        "SELECT format('role %s, application \"%s\", pid %s, since %s',"
	        " a.usename, a.application_name, a.pid,"
	        " to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'))"
	        " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
	        " WHERE l.locktype = 'relation' AND l.relation = 'etl.run_lock'::regclass"
	        " AND l.mode = 'RowShareLock' AND l.granted"
	        " AND l.pid <> pg_backend_pid() LIMIT 1",
	        0, NULL, holder, size, err) < 0)
		return -1;
	return 0;
}

int pgw_bootstrap_lock(struct pgw *w, bool take, struct etl_err *err)
{
	const char *const p[] = {PGW_LOCK_KEY};

	return pgw_exec(w,
	                take ? "SELECT pg_advisory_lock($1::bigint)"
	                     : "SELECT pg_advisory_unlock($1::bigint)",
	                1, p, NULL, err);
}

/* Scripts ------------------------------------------------------------------- */

int pgw_exec_script(struct pgw *w, const char *sql, const char *what, struct etl_err *err)
{
	PGresult *r = PQexec(w->conn, sql);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = fail_res(w, r, what, err);
	PQclear(r);
	return rc;
}

/* COPY ------------------------------------------------------------------------ */

int pgw_copy_begin(struct pgw_copy *c, struct pgw *w, const char *sql, struct etl_err *err)
{
	PGresult *r;

	memset(c, 0, sizeof(*c));
	c->w = w;
	r = PQexec(w->conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		fail_res(w, r, sql, err);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	c->buf = malloc(PGW_COPY_CHUNK);
	if (!c->buf) {
		c->failed = true;
		pgw_copy_end(c, "out of memory", err);
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	}
	return 0;
}

/* Send what is buffered. */
static int copy_flush(struct pgw_copy *c, struct etl_err *err)
{
	if (c->len == 0)
		return 0;
	if (PQputCopyData(c->w->conn, c->buf, (int)c->len) != 1) {
		c->failed = true;
		return fail_res(c->w, NULL, "COPY", err);
	}
	c->len = 0;
	return 0;
}

int pgw_copy_put(struct pgw_copy *c, const char *data, size_t len, struct etl_err *err)
{
	while (len > 0) {
		size_t n = PGW_COPY_CHUNK - c->len;

		if (n > len)
			n = len;
		memcpy(c->buf + c->len, data, n);
		c->len += n;
		data += n;
		len -= n;
		if (c->len == PGW_COPY_CHUNK && copy_flush(c, err) < 0)
			return -1;
	}
	return 0;
}

int pgw_copy_lines(struct pgw_copy *c, const char *prefix, const char *text, size_t n,
                   struct etl_err *err)
{
	size_t plen = strlen(prefix);
	const char *end = text + n;

	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t len = nl ? (size_t)(nl - text) + 1 : (size_t)(end - text);

		if (pgw_copy_put(c, prefix, plen, err) < 0 || pgw_copy_put(c, text, len, err) < 0)
			return -1;
		text += len;
	}
	return 0;
}

/* Read results until none is left; returns the first failure's result status. */
static int drain(struct pgw_copy *c, const char *what, struct etl_err *err)
{
	PGresult *r;
	int rc = 0;

	while ((r = PQgetResult(c->w->conn))) {
		if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = fail_res(c->w, r, what, err);
		PQclear(r);
	}
	return rc;
}

int pgw_copy_end(struct pgw_copy *c, const char *abort_msg, struct etl_err *err)
{
	struct etl_err ignored;
	int rc = -1;

	if (!c->w)
		return 0;
	if (!abort_msg && !c->failed && copy_flush(c, err) == 0) {
		if (PQputCopyEnd(c->w->conn, NULL) == 1)
			rc = drain(c, "COPY", err);
		else
			rc = fail_res(c->w, NULL, "COPY", err);
	} else {
		/* an abort asked for by the caller is not a failure of this call */
		if (abort_msg && !c->failed)
			rc = 0;
		PQputCopyEnd(c->w->conn, abort_msg ? abort_msg : "aborted");
	}
	drain(c, "COPY", &ignored);
	free(c->buf);
	c->buf = NULL;
	c->w = NULL;
	return rc;
}

int pgw_copy_text(struct pgw *w, const char *sql, const char *prefix, const char *text, size_t n,
                  struct etl_err *err)
{
	struct pgw_copy c;

	if (n == 0)
		return 0;
	if (pgw_copy_begin(&c, w, sql, err) < 0)
		return -1;
	if (pgw_copy_lines(&c, prefix, text, n, err) < 0) {
		pgw_copy_end(&c, "load failed", err);
		return -1;
	}
	return pgw_copy_end(&c, NULL, err);
}

/*
 * Rewrite conninfo for display or the audit trail: every keyword libpq
 * understands except password, as key='value'; "(unparsable)" otherwise.
 */
char *pgw_redact_conninfo(const char *conninfo, char *buf, size_t size)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
	size_t len = 0;

	buf[0] = '\0';
	if (!opts) {
		PQfreemem(errmsg);
		snprintf(buf, size, "(unparsable)");
		return buf;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		/* libpq marks every secret with '*': password, sslpassword, ... */
		if (!o->val || !*o->val || strcmp(o->keyword, "password") == 0 ||
		    strcmp(o->keyword, "sslpassword") == 0 ||
		    (o->dispchar && strchr(o->dispchar, '*')))
			continue;
		int n =
		    snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "", o->keyword, o->val);
		if (n < 0 || (size_t)n >= size - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	PQconninfoFree(opts);
	return buf;
}

bool pgw_unavailable(const struct etl_err *err)
{
	return strcmp(err->reason, "db_unavailable") == 0;
}

bool pgw_timeout(const struct etl_err *err)
{
	return strcmp(err->reason, "db_timeout") == 0;
}
