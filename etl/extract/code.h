/*
 * code: classification-code layouts, read into canonical digits.
 *
 * A function code is 3 (类), 5 (款) or 7 (项) digits; an economic code is
 * 3 (类) or 5 (款) digits.  Departments print them as:
 *   "2010301"                  one cell
 *   "201 03 01", "201-03-01"   spaced (ASCII or U+3000 spaces), full-width digits
 *   "201" | "03" | "01"        split 类 | 款 | 项 columns (code_join)
 *   "2010301 行政运行", "[2010301]行政运行", "【2010301】行政运行",
 *   "2010301-行政运行"          code and name in one cell (code_split_cell)
 *
 * Nothing here consults a classification list: that is classify's job.
 * Returned strings are written into caller buffers.
 */
#ifndef ETL_CODE_H
#define ETL_CODE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CODE_MAX 16

/*
 * Canonical digits of one code cell ("201 03 01" -> "2010301").  Returns 1
 * when the cell holds a code, 0 when it holds no digits at all (a name, or
 * empty), -1 when it holds something code-like that is malformed (digits
 * mixed with letters, a length other than 3/5/7, "2010"): err->reason
 * "bad_code", message quoting the text.
 */
int code_canonical(const char *cell, char out[CODE_MAX], struct etl_err *err);

/*
 * Join split columns: class "201", section "03" (or "" / "20103"),
 * item "01" (or "" / "2010301") into canonical digits.  A section of two
 * digits is appended to class; a section of five digits must start with the
 * class.  With padded non-NULL, a section or item of one digit ("3": a
 * spreadsheet dropped the leading zero of "03") is padded and *padded set:
 * the caller must confirm the code by its name (normalize does, against the
 * list).  Returns 1, 0 (all empty) or -1 (inconsistent or malformed).
 */
int code_join(const char *cls, const char *sec, const char *item, char out[CODE_MAX], bool *padded,
              struct etl_err *err);

/*
 * Split a cell holding code and name ("2010301 行政运行", "[2010301]行政运行").
 * Returns 1 with code and name filled when the cell starts with a code
 * (optionally in brackets) followed by a name; 0 when it does not (name gets
 * the trimmed cell); -1 when the leading code is malformed.
 */
int code_split_cell(const char *cell, char code[CODE_MAX], char *name, size_t name_size,
                    struct etl_err *err);

/* The level of a canonical function code: 1 (类), 2 (款), 3 (项), 0 if none. */
int code_level(const char *code);

#endif
