/*
 * pgread: connection, reader's role, snapshot and queries (pgread.h).
 */
#include "pgread.h"
#include "pgconn.h"

#include <stdio.h>
#include <string.h>

static const char *classify(const struct pgr *c, const char *state)
{
	if (!c->conn || PQstatus(c->conn) == CONNECTION_BAD)
		return "db_unavailable";
	if (!state || !*state)
		return "db_error";
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P03") == 0)
		return "db_unavailable";
	/* 42501 insufficient privilege; 22023 / 42704: SET ROLE to a missing role */
	if (strcmp(state, "42501") == 0 || strcmp(state, "22023") == 0 ||
	    strcmp(state, "42704") == 0)
		return "db_denied";
	if (strcmp(state, "42P01") == 0 || strcmp(state, "42703") == 0 ||
	    strcmp(state, "42883") == 0 || strcmp(state, "3F000") == 0)
		return "db_schema";
	return "db_error";
}

/* Fill err from a failed result (NULL: the connection's message). */
static int fail_res(struct pgr *c, const PGresult *res, const char *what, struct etl_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[ETL_ERR_MSG / 2];

	pgconn_chomp(msg, sizeof(msg), primary ? primary : c->conn ? PQerrorMessage(c->conn) : "");
	return etl_fail(err, classify(c, state), 0, NULL, "%s: %s", what, msg);
}

int pgr_connect(struct pgr *c, const char *conninfo, struct etl_err *err)
{
	memset(c, 0, sizeof(*c));
	c->conn = pgconn_open(conninfo, "budget-etl report", err);
	return c->conn ? 0 : -1;
}

void pgr_close(struct pgr *c)
{
	if (c->conn)
		PQfinish(c->conn);
	c->conn = NULL;
}

char *pgr_describe(const struct pgr *c, char *buf, size_t size)
{
	return pgconn_describe(c->conn, buf, size);
}

/* A statement without rows. */
static int command(struct pgr *c, const char *what, const char *sql, struct etl_err *err)
{
	PGresult *res = PQexec(c->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail_res(c, res, what, err);
	PQclear(res);
	return rc;
}

int pgr_begin_as_reader(struct pgr *c, struct etl_err *err)
{
	if (command(c, "SET ROLE " PGR_READER_ROLE, "SET ROLE " PGR_READER_ROLE, err) < 0) {
		char msg[ETL_ERR_MSG];
		const char *user = PQuser(c->conn);

		if (strcmp(err->reason, "db_denied") != 0)
			return -1;
		snprintf(msg, sizeof(msg),
		         "%s; the report reads with the rights of " PGR_READER_ROLE
		         " only: connect as a role that is a member of it (as a privileged "
		         "role: GRANT " PGR_READER_ROLE " TO %s), or run ./run.sh migrate if "
		         "the role does not exist",
		         err->message, user ? user : "the login role");
		return etl_fail(err, "db_denied", 0, NULL, "%s", msg);
	}
	return command(c, "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", err);
}

int pgr_query(struct pgr *c, const char *what, const char *sql, int n, const char *const *params,
              PGresult **res, struct etl_err *err)
{
	PGresult *r = PQexecParams(c->conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_res(c, r, what, err);
		PQclear(r);
		*res = NULL;
		return -1;
	}
	*res = r;
	return 0;
}
