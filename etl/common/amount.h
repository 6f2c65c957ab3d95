/*
 * amount: exact money.  An amount is an int64 count of fen (0.01 yuan);
 * floating point never touches money.
 *
 * amount_parse() accepts what departments print: "748.03", "37,838,524.57",
 * full-width digits, commas, dots and spaces (０-９ ， ． U+3000), surrounding
 * spaces, a leading '-' or '+', parenthesised negatives "(12.50)" / "（12.50）",
 * and the zero spellings "", "-", "—" (U+2014), "–" (U+2013), "－" (U+FF0D),
 * "0", "0.00".  The unit multiplies exactly: 万元 amounts may carry up to six
 * decimals (748.031234 万元 = 7480312.34 元); more non-zero decimals than the
 * unit can hold in fen is an error, never a rounding.
 *
 * Errors return -1 with err->reason "bad_amount" and a message quoting the
 * text; err->line is left for the caller to set.
 */
#ifndef ETL_AMOUNT_H
#define ETL_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum unit { UNIT_NONE = 0, UNIT_YUAN, UNIT_WAN };

/*
 * The range of every amount: what numeric(18,2) holds, |fen| < 10^18
 * (10^16 yuan).  amount_parse() refuses a cell outside it (bad_amount, with
 * the cell), and every sum of amounts is checked against it (amount_add).
 */
#define AMOUNT_MAX_FEN INT64_C(999999999999999999)

/*
 * An exact decimal in yuan as the stream and etl.conf write it: an optional
 * '-', digits, optionally '.' and one or two digits ("7480300.00", "0.5",
 * "-12").  Nothing else is accepted (no spaces, commas or full-width
 * forms).  Returns 0, or -1 when text is not one or lies outside the range.
 */
int amount_parse_exact(const char *text, int64_t *fen);

/* *sum = a + b; -1 (sum untouched) when the result leaves the range. */
int amount_add(int64_t a, int64_t b, int64_t *sum);

/* Parse text (NUL-terminated UTF-8) in unit into *fen. */
int amount_parse(const char *text, enum unit unit, int64_t *fen, struct etl_err *err);

/* True when text is one of the zero spellings or empty after trimming. */
bool amount_is_blank(const char *text);

/* True when text looks like a number (what amount_parse accepts, not blank). */
bool amount_looks_numeric(const char *text);

/* Format fen as yuan with two decimals ("-1234.50") into buf (>= 32 bytes). */
char *amount_format(int64_t fen, char *buf, size_t size);

/* Recognise a unit cell ("单位：万元", "单位:元", "金额单位：万元", "万元"). */
enum unit unit_from_cell(const char *text);

const char *unit_name(enum unit u); /* "yuan", "wan" or "" */

#endif
