/*
 * pgconn: what the two programs that talk to PostgreSQL (load and report)
 * share of libpq: opening a connection under an application name, naming
 * it in messages, and a server message as one line.
 *
 * Only load and report call it: extract and normalize do not link libpq,
 * and an archive member nobody calls is not linked into them.
 *
 * Errors: pgconn_open returns NULL with err->reason "db_unavailable" and
 * libpq's message.  Notices (e.g. "schema etl already exists, skipping")
 * are not problems and are dropped.
 *
 * Ownership: the PGconn returned belongs to the caller (PQfinish).
 */
#ifndef ETL_PGCONN_H
#define ETL_PGCONN_H

#include <libpq-fe.h>
#include <stddef.h>

#include "err.h"

/* Connect to conninfo (a DSN or URI) as application app, in UTF-8. */
PGconn *pgconn_open(const char *conninfo, const char *app, struct etl_err *err);
/* "host:port/dbname" of conn into buf (never the conninfo: no password). */
char *pgconn_describe(const PGconn *conn, char *buf, size_t size);
/* Copy s (NULL: "") into buf without its trailing newlines and spaces. */
void pgconn_chomp(char *buf, size_t size, const char *s);

#endif
