/*
 * csvread: records from decoded UTF-8 text, through libcsv.
 *
 * libcsv parses (strict mode: CSV_STRICT | CSV_STRICT_FINI |
 * CSV_APPEND_NULL); this wrapper adds what libcsv lacks:
 *   - the physical line where each record starts and ends (text is fed one
 *     physical line at a time, and libcsv's parser state says whether a
 *     record is in progress);
 *   - the byte offset of each record in the decoded text;
 *   - caps: a field longer than CSVREAD_MAX_FIELD that ends before
 *     CSVREAD_MAX_OPEN_FIELD is handed on empty with the record marked
 *     (oversize_field), so that the caller rejects that row only; a field
 *     still open past CSVREAD_MAX_OPEN_FIELD (a stray quote swallowing the
 *     rest of the file) stops the parse, with the line where the quote
 *     opened;
 *     more than CSVREAD_MAX_COLUMNS fields in a record stops it too;
 *   - stopping: the record callback returns non-zero to stop the parse
 *     (libcsv callbacks cannot abort, so the wrapper stops feeding).
 *
 * Ownership: the record passed to the callback is borrowed, valid only
 * during the call.  struct csvread owns its buffers until csvread_free().
 * Errors: -1 with err->reason bad_csv or too_large and err->line set.
 */
#ifndef ETL_CSVREAD_H
#define ETL_CSVREAD_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CSVREAD_MAX_FIELD   (1 << 20)
#define CSVREAD_MAX_COLUMNS 4096
#define CSVREAD_MAX_RECORD  (8 << 20)
/* libcsv holds a field whole until it ends: past this it is not waited for */
#define CSVREAD_MAX_OPEN_FIELD (4 << 20)

struct csv_record {
	int nfields;
	char **field;        /* NUL-terminated, borrowed */
	long line;           /* physical line where the record starts (1-based) */
	long end_line;       /* physical line where it ends */
	int64_t offset;      /* byte offset of that line in the decoded text */
	long index;          /* 1-based record number */
	size_t bytes;        /* bytes of all fields with their NULs (0: unknown) */
	int oversize_field;  /* 1-based field longer than CSVREAD_MAX_FIELD (handed on
	                        empty), 0 when none */
	size_t oversize_len; /* its length */
};

typedef int (*csv_record_fn)(void *ctx, const struct csv_record *rec);

struct csvread {
	struct csv_parser p;
	csv_record_fn fn;
	void *ctx;
	char *buf; /* field bytes of the record being built */
	size_t len, cap;
	size_t *starts; /* field start offsets in buf */
	int nfields, fcap;
	char **ptrs;
	size_t pcap;
	long line;     /* physical line being fed */
	long rec_line; /* line where the current record started */
	int64_t rec_offset;
	int64_t offset;      /* decoded bytes fed so far */
	int64_t line_offset; /* where the line being fed starts */
	long quote_line;     /* line where the open quoted field began */
	long records;
	int stop;           /* callback asked to stop */
	int oversize_field; /* the record's field over CSVREAD_MAX_FIELD, 1-based */
	size_t oversize_len;
	int failed;
	int at_line_start;
	struct etl_err *err;
};

/* delim is ',' normally, '\t' for Excel's "Unicode text". */
int csvread_init(struct csvread *r, char delim, csv_record_fn fn, void *ctx, struct etl_err *err);

/*
 * Feed decoded text (any chunking).  Returns 0 to go on, 1 when the callback
 * stopped the parse, -1 on error.
 */
int csvread_feed(struct csvread *r, const char *text, size_t len);

/* End of input: flush the last record.  Returns 0, 1 or -1 as above. */
int csvread_finish(struct csvread *r);

void csvread_free(struct csvread *r);

#endif
