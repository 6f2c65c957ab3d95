/*
 * stream: the canonical row stream between the stages.
 *
 *   extract FILES | normalize | load
 *
 * One record per line, fields separated by TAB, every field escaped as in
 * PostgreSQL COPY text format (backslash, TAB, LF, CR written as \\ \t \n \r).
 * The first field is a one-letter tag:
 *
 *   S  budget-etl-stream  1                         stream header (once)
 *   F  path sha256 bytes encoding compression year dept_code table_kind stage
 *      unit dept_name title folder_year folder_dept scope
 *                                                   a file begins
 *   R  line role code name key=value...             a row of that file
 *   J  line column reason message raw               a rejected row (line 0:
 *                                                   the whole file)
 *   C  year dept_code table_kind check_name subject expected actual passed
 *      message stage rows max_diff allowance        a reconciliation check
 *                                                   (normalize adds these)
 *   E  records meta facts subtotals rejected status half_unit
 *                                                   a file ends
 *
 * F: table_kind is 1..10, or 0 when not recognised; stage is budget,
 * adjusted or final (from the title only); unit is yuan or wan ("" when
 * unknown, or when an empty table printed none); encoding is utf-8,
 * utf-8-bom, gb18030, utf-16le, utf-16be; compression is none or gzip;
 * folder_year and folder_dept come from <year>/<dept>/ in the path ("" when
 * the path is outside that layout); scope is department or unit (from the
 * title's words: 部门, 单位, 预算单位).  path has bytes that are not UTF-8
 * and control characters written as \xHH and \n.
 *
 * R roles written by extract: total (a 合计/总计 row), row (a classified row:
 * code and/or name), income and expense (the two sides of tables 1 and 4:
 * code is a fund-source key or empty, name the printed label), three_public
 * (table 7's data row), project and indicator (table 9).  normalize rewrites
 * row into leaf or subtotal with the canonical code, resolves codes of
 * expense and codeless rows, and adds op=, value=, unit= to indicators.
 *
 * Amount keys hold yuan as exact decimal strings with two decimals
 * ("7480300.00"); text keys (table 9: supervisor, goal, l1, l2, l3, target,
 * op, value, unit) hold text.  Amount keys: total basic project personnel
 * public upper_remit business_op subsidiary (function tables); total
 * income_subtotal general_budget gov_fund state_capital fiscal_appropriation
 * fiscal_special business operating superior_subsidy subordinate_remit other
 * carryover (table 2); amount (tables 1, 4, 9); total outbound_travel
 * vehicle_total vehicle_purchase vehicle_operation official_reception
 * admin_operating (table 7).
 *
 * C: stage is the stage of the submission checked (budget, adjusted,
 * final); rows is how many checks the record stands for (1, or N for the
 * row-level identities of a table that all passed with difference 0,
 * written once with subject "(N rows)"); max_diff the largest difference
 * among them in yuan; allowance the rounding allowance in yuan when the
 * check passed only through it ("" otherwise).
 *
 * Order: normalize buffers one submission (one <year>/<dept>/ folder) and
 * writes all of its C records first, then its files (F R* J* E each), so
 * that load can apply --strict-checks before writing anything of it.  R roles
 * after normalize: leaf, subtotal, total, income, expense, three_public,
 * project, indicator.  normalize drops a rejected row's R and writes a J.
 *
 * E: records counts every CSV record of the file; meta + facts + subtotals +
 * rejected == records (row accounting).  status is ok, rejected (the whole
 * file) or skipped (a table the pipeline recognises and does not load: a
 * provincial extra).  half_unit is half a unit of the table's printed
 * precision in fen, from its unit and the most decimals printed in its
 * value columns (万元 with 2 decimals: 5000 fen, whole 元: 50, 元 with fen:
 * 0): the rounding allowance of every check (FINAL_ACCOUNTS "Checks").
 * extract counts every non-rejected classified row as a fact; normalize
 * moves subtotal and total rows to subtotals.
 *
 * R amounts: a blank cell (empty, "-", "—") is written with an empty value
 * (key=), a printed figure always with its amount ("0.00" for a printed 0):
 * a check counts only printed figures toward its allowance.
 *
 * W (load --jobs only, on the pipe from a worker to its parent, never in
 * the stream between the stages): W progress files rows bytes; W check line;
 * W unregistered line; W counts files_seen files_loaded files_unchanged
 * files_rejected rows_read rows_loaded rows_rejected checks_failed
 * any_reject.  The same escaping and the same reader as every other record.
 *
 * Decoding: stream_file_decode(), stream_end_decode(), stream_check_decode()
 * and stream_amount() are the one reading of the grammar, used by normalize
 * and load alike; a record that breaks it is a broken stream (reason
 * "bad_stream"), which every stage answers with exit 70 (EX_SOFTWARE).
 *
 * Ownership: struct stream_rec borrows its fields from the reader's line
 * buffer; they are valid until the next stream_read() call.  The decoded
 * structs borrow their strings from the record.
 */
#ifndef ETL_STREAM_H
#define ETL_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define STREAM_MAGIC      "budget-etl-stream"
#define STREAM_VERSION    "2"
#define STREAM_MAX_FIELDS 4096

/* Indexes of F fields (after the tag). */
enum f_field {
	F_PATH,
	F_SHA256,
	F_BYTES,
	F_ENCODING,
	F_COMPRESSION,
	F_YEAR,
	F_DEPT,
	F_KIND,
	F_STAGE,
	F_UNIT,
	F_DEPT_NAME,
	F_TITLE,
	F_FOLDER_YEAR,
	F_FOLDER_DEPT,
	F_SCOPE,
	F_NFIELDS
};

/* Indexes of R fields (after the tag); key=value pairs start at R_KV. */
enum r_field { R_LINE, R_ROLE, R_CODE, R_NAME, R_KV };

/* Indexes of J fields. */
enum j_field { J_LINE, J_COLUMN, J_REASON, J_MESSAGE, J_RAW, J_NFIELDS };

/* Indexes of C fields. */
enum c_field {
	C_YEAR,
	C_DEPT,
	C_KIND,
	C_NAME,
	C_SUBJECT,
	C_EXPECTED,
	C_ACTUAL,
	C_PASSED,
	C_MESSAGE,
	C_STAGE,
	C_ROWS,
	C_MAX_DIFF,
	C_ALLOWANCE,
	C_NFIELDS
};

/* Indexes of E fields. */
enum e_field {
	E_RECORDS,
	E_META,
	E_FACTS,
	E_SUBTOTALS,
	E_REJECTED,
	E_STATUS,
	E_HALF_UNIT,
	E_NFIELDS
};

struct stream_rec {
	char tag;     /* 'S', 'F', 'R', 'J', 'C', 'E' or 'W' */
	int nfields;  /* fields after the tag */
	char **field; /* unescaped, NUL-terminated; borrowed */
};

struct stream_reader {
	FILE *in;
	char *line; /* owned */
	size_t cap;
	char **field; /* owned array of pointers into line */
	long lineno;
};

/* Writing: each call writes one whole record. */
void stream_write_header(FILE *out);
/* Write tag then n fields (NULL fields are written empty). */
void stream_write(FILE *out, char tag, int n, const char *const *fields);
/* Write s with COPY text escaping and nothing around it. */
void stream_put_escaped(FILE *out, const char *s);
/* Write one escaped field with a leading TAB (for building R records). */
void stream_put_field(FILE *out, const char *s);
/* Write a key=value field with a leading TAB. */
void stream_put_kv(FILE *out, const char *key, const char *value);

/*
 * Give a stream's FILE a 1 MiB buffer of its own (setvbuf with a NULL
 * buffer keeps glibc's 4 KiB: a pipe then moves in 4 KiB writes).  Call
 * before the first read or write; the buffer lives until the process ends
 * (up to four streams a process).  Returns 0, or -1 (the FILE keeps its
 * default buffer).
 */
int stream_buffer(FILE *f);

void stream_reader_init(struct stream_reader *r, FILE *in);
void stream_reader_free(struct stream_reader *r);
/*
 * Read the next record into rec.  Returns 1 when a record was read, 0 at end
 * of input, -1 on a malformed line (err says which).
 */
int stream_read(struct stream_reader *r, struct stream_rec *rec, struct etl_err *err);

/*
 * Parse one line (len bytes, no newline, changed in place) into rec, using
 * fields (STREAM_MAX_FIELDS pointers) for its field array; lineno is for
 * messages.  Returns 0, or -1 (bad_stream) when it is not a record.
 */
int stream_parse_line(char *line, size_t len, long lineno, char **fields, struct stream_rec *rec,
                      struct etl_err *err);

/* Find key=value among R fields from R_KV on; returns the value or NULL. */
const char *stream_kv(const struct stream_rec *rec, const char *key);

/* ---- typed decoding: the one reading of the grammar ---------------------- */

/* A non-negative decimal count ("0", "12"); -1 when s is not one. */
long stream_count(const char *s);

/*
 * An amount as the stream writes it: yuan, exact, "-12.50" (amount.h's
 * amount_parse_exact: the range of numeric(18,2)).  Returns 0 or -1.
 */
int stream_amount(const char *s, int64_t *fen);

/* An F record. */
struct stream_file {
	char *const *field; /* the F fields, borrowed (F_PATH ...) */
	int year;           /* fiscal year, 0 when unknown */
	int kind;           /* table kind 1..10, 0 when not recognised */
	int folder_year;    /* 0 outside the <year>/<dept>/ layout */
	long long bytes;
};
int stream_file_decode(const struct stream_rec *rec, struct stream_file *f, struct etl_err *err);

/* An E record: the counts (E_RECORDS .. E_REJECTED), the status, the precision. */
struct stream_end {
	long n[E_STATUS];
	bool ok;        /* status ok */
	bool skipped;   /* status skipped (ok is false) */
	long half_unit; /* fen */
};
/* Decodes and checks the accounting: meta + facts + subtotals + rejected == records. */
int stream_end_decode(const struct stream_rec *rec, struct stream_end *e, struct etl_err *err);
void stream_end_write(FILE *out, const struct stream_end *e);

/* A C record. */
struct stream_check {
	char *const *field; /* the C fields, borrowed */
	int year;           /* 0 when empty */
	bool passed;
	long rows; /* checks it stands for, >= 1 */
};
int stream_check_decode(const struct stream_rec *rec, struct stream_check *c, struct etl_err *err);

#endif
