/*
 * pgread: report's read-only side of libpq: connect, take the reader's
 * rights, one consistent snapshot, queries with bound parameters.
 *
 * The report connects as load does (the conninfo of config_resolve_dsn),
 * then SET ROLE budget_reader: whatever role it logged in as, it reads
 * what a BI tool reads (schema mart) and nothing else.  Everything it reads
 * comes from one REPEATABLE READ READ ONLY transaction, so a load that
 * commits meanwhile shows either whole or not at all.
 *
 * Values reach the server only as bound parameters (PQexecParams).
 *
 * Errors: -1 with err filled; err->reason says what the caller should do:
 *   "db_unavailable" the server is gone or refuses us (SQLSTATE class 08,
 *                    53, 57P01..57P03, a bad connection)         -> exit 69
 *   "db_denied"      insufficient privilege, e.g. the login role is no
 *                    member of budget_reader (42501), or the role does
 *                    not exist                                    -> exit 78
 *   "db_schema"      a mart view or column is missing: the database's
 *                    views predate this program (42P01, 42703, 42883)
 *                                                                 -> exit 78
 *   "db_error"       anything else                                -> exit 70
 * Messages hold what the server said, never the conninfo.
 *
 * Ownership: struct pgr owns its PGconn until pgr_close().  A PGresult
 * handed out belongs to the caller (PQclear).
 */
#ifndef ETL_REPORT_PGREAD_H
#define ETL_REPORT_PGREAD_H

#include <libpq-fe.h>

#include "err.h"

/* The role whose rights the report reads with. */
#define PGR_READER_ROLE "budget_reader"

struct pgr {
	PGconn *conn;
};

/* Connect with conninfo ("" lets libpq use the PG* variables), UTF8. */
int pgr_connect(struct pgr *c, const char *conninfo, struct etl_err *err);
void pgr_close(struct pgr *c);

/* "host:port/dbname" of the connection (never the conninfo) into buf. */
char *pgr_describe(const struct pgr *c, char *buf, size_t size);

/*
 * SET ROLE budget_reader, then BEGIN ISOLATION LEVEL REPEATABLE READ, READ
 * ONLY.  A login role that may not take budget_reader's rights is
 * "db_denied", the message naming both roles.
 */
int pgr_begin_as_reader(struct pgr *c, struct etl_err *err);

/*
 * Run one query with n text parameters (NULL = SQL NULL); what names it in
 * messages.  On success *res holds the rows (the caller's).
 */
int pgr_query(struct pgr *c, const char *what, const char *sql, int n, const char *const *params,
              PGresult **res, struct etl_err *err);

#endif
