/*
 * table: table recognition for one submission file, record by record.
 *
 * Fed the CSV records of one file (csvread), it finds the optional "表N"
 * line, the title (table kind, year, stage), the meta line (department,
 * unit), the one to three header rows (each column mapped to a field through
 * config/wording/headers.tsv), then turns each data row into stream R
 * records (etl/stream.h), or J records for rows it cannot read.  It writes
 * the file's F record when the header is understood, and table_finish()
 * writes E.  A file rejected as a whole gets F, one J and E with status
 * rejected.
 *
 * Every record is accounted for: meta (title, meta, header, blank and note
 * lines), facts (rows written as R) or rejected.
 *
 * Ownership: struct table owns copies of what it keeps between records;
 * the wording and the output stream are borrowed.  Errors are not returned:
 * they become J records, the caller only learns whether to stop.
 */
#ifndef ETL_TABLE_H
#define ETL_TABLE_H

#include <stdio.h>

#include "amount.h"
#include "csvread.h"
#include "infile.h"
#include "wording.h"

#define TABLE_MAX_HEADER_ROWS 4
#define TABLE_MAX_PREAMBLE    6

struct column {
	char field[32];  /* "" for an unlabelled column */
	char label[160]; /* the header path as printed, for messages */
	int side;        /* tables 1 and 4: 1 income, 2 expense */
	int block;       /* table 6 of a 决算: 0 or 1, the side-by-side block */
};

struct file_info {
	const char *path; /* as given, for messages and the F record */
	const char *sha256;
	long long bytes;
	const char *encoding;
	const char *compression;
	int folder_year; /* 0 when outside <year>/<dept>/ */
	char folder_dept[64];
	int encoding_needs_proof; /* GB18030 / UTF-16: unproven until the title is known */
};

/* Looks a department up by the name its file gives (outside the folder layout). */
typedef const char *(*dept_by_name_fn)(void *ctx, const char *name);

struct table {
	const struct wording *w;
	FILE *out;
	struct file_info fi;
	dept_by_name_fn dept_lookup;
	void *dept_ctx;

	enum { T_PREAMBLE, T_HEADER, T_DATA, T_DONE } state;
	struct title_info title;
	char title_text[512];
	long title_line;
	char dept_name[256];
	char dept_code[64];
	int year;
	enum unit unit;

	char **hdr[TABLE_MAX_HEADER_ROWS]; /* owned copies of header rows */
	int hdr_n[TABLE_MAX_HEADER_ROWS];
	int nhdr;
	struct column *cols;
	int ncols;

	long records, meta, facts, rejected;
	int f_written;
	int rejected_whole;
	int skipped;      /* a provincial extra: read, not loaded (E status skipped) */
	int decimals;     /* most decimals printed in a value cell, -1 before any */
	int figures;      /* printed non-zero figures: a table with none needs no unit */
	int blocks;       /* value blocks side by side (决算 table 6: 2), else 1 */
	char context[32]; /* tables 1/4: the block a fund label belongs to (年初结转) */

	/* table 7 */
	int three_public_done;
	/* table 9: texts kept whole (owned) */
	int projects;
	char *project;
	char *last_l1, *last_l2;

	char *scratch; /* owned: a name split from its code, grown as needed */
	size_t scratch_cap;
};

void table_init(struct table *t, const struct wording *w, FILE *out, const struct file_info *fi,
                dept_by_name_fn lookup, void *lookup_ctx);

/* Consume one record; returns non-zero when the file is rejected whole. */
int table_record(struct table *t, const struct csv_record *rec);

/*
 * Reject the whole file (a reading or decoding error): writes F if not yet
 * written, a J for err and marks the file rejected.
 */
void table_reject_file(struct table *t, const struct etl_err *err);

/* End of file: the header with no data, table 7 with no row, then E. */
void table_finish(struct table *t);

void table_free(struct table *t);

#endif
