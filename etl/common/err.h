/*
 * err: the one error record that travels from where a problem is found to
 * the one place that prints or stores it.
 *
 * Functions that can fail return 0 on success and -1 on failure, filling a
 * caller-owned struct etl_err.  Nothing in a module prints or exits.  The
 * struct owns no heap memory: every field is a fixed buffer, so it can be
 * copied, reset and discarded freely.
 */
#ifndef ETL_ERR_H
#define ETL_ERR_H

#include <stddef.h>
#include <stdint.h>

#define ETL_ERR_MSG 512

struct etl_err {
	char reason[48];           /* stable English reason code, e.g. "unknown_code" */
	char message[ETL_ERR_MSG]; /* human message (Chinese where users read it) */
	char column[64];           /* column name or number, "" when not tied to one */
	long line;                 /* physical line in the file, 0 when whole-file */
	int64_t offset;            /* byte offset in the raw file, -1 when unknown */
};

/* Reset to "no error". */
void etl_err_clear(struct etl_err *e);

/*
 * Fill e and return -1, so a caller can write `return etl_fail(e, ...)`.
 * line and offset may be 0 / -1 when unknown; column may be NULL.
 */
int etl_fail(struct etl_err *e, const char *reason, long line, const char *column, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));

#endif
