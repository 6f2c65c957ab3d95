/*
 * pgconn: the libpq connection load and report share (pgconn.h).
 */
#include "pgconn.h"

#include <stdio.h>
#include <string.h>

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *pgconn_open(const char *conninfo, const char *app, struct etl_err *err)
{
	const char *const keys[] = {"dbname", "application_name", "client_encoding", NULL};
	const char *const vals[] = {conninfo, app, "UTF8", NULL};
	PGconn *conn = PQconnectdbParams(keys, vals, 1);

	if (!conn) {
		etl_fail(err, "db_unavailable", 0, NULL, "cannot connect: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[ETL_ERR_MSG / 2];

		pgconn_chomp(msg, sizeof(msg), PQerrorMessage(conn));
		PQfinish(conn);
		etl_fail(err, "db_unavailable", 0, NULL, "cannot connect: %s", msg);
		return NULL;
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	return conn;
}

char *pgconn_describe(const PGconn *conn, char *buf, size_t size)
{
	const char *host = conn ? PQhost(conn) : NULL;
	const char *port = conn ? PQport(conn) : NULL;
	const char *db = conn ? PQdb(conn) : NULL;

	snprintf(buf, size, "%s:%s/%s", host ? host : "?", port ? port : "?", db ? db : "?");
	return buf;
}

void pgconn_chomp(char *buf, size_t size, const char *s)
{
	size_t n;

	snprintf(buf, size, "%s", s ? s : "");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}
