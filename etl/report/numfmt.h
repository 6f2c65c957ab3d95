/*
 * numfmt: numbers from PostgreSQL as people read them, computed on the
 * decimal text, never through floating point.
 *
 * Amounts arrive as numeric text in yuan ("7480300.00"); the report shows
 * them with thousands separators ("7,480,300.00") and in 万元 with two
 * decimals, yuan / 10000 exactly, rounded half away from zero ("748.03";
 * 50.00 yuan is "0.01" 万元, 49.99 is "0.00").  Rates arrive as fractions
 * ("0.9861") and are shown in percent ("98.61").  A result that rounds to
 * zero never carries a minus sign.
 *
 * Input: an optional '-' or '+', digits, optionally '.' and digits (at least
 * one digit in all), at most NUMFMT_DIGITS digits; nothing else (no spaces,
 * exponents or separators).
 *
 * Ownership: the caller's buffer; returns buf, or NULL (buf set to "")
 * when dec is not such a number or buf is too small.
 */
#ifndef ETL_REPORT_NUMFMT_H
#define ETL_REPORT_NUMFMT_H

#include <stddef.h>

#define NUMFMT_DIGITS 40
/* room for any result: digits, separators, sign, point */
#define NUMFMT_MAX 96

/*
 * dec x 10^shift (shift from -12 to 12), rounded half away from zero to
 * decimals places (0 to 12), with thousands separators.
 */
char *numfmt_scale(const char *dec, int shift, int decimals, char *buf, size_t size);

/* dec as it is (its own decimals kept), with thousands separators. */
char *numfmt_group(const char *dec, char *buf, size_t size);

/* The same without separators (for CSV: "-1000000.00" stays a number). */
char *numfmt_scale_plain(const char *dec, int shift, int decimals, char *buf, size_t size);

/* yuan -> 万元 with 2 decimals and separators. */
char *numfmt_wan(const char *yuan, char *buf, size_t size);

/* yuan -> 万元 with 2 decimals, no separators. */
char *numfmt_wan_plain(const char *yuan, char *buf, size_t size);

/* a fraction -> percent with 2 decimals ("0.9861" -> "98.61"). */
char *numfmt_pct(const char *fraction, char *buf, size_t size);

#endif
