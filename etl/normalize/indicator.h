/*
 * indicator: performance-indicator targets of table 9 (指标值).
 *
 *   "≥98%"     -> op "≥", value "98",     unit "%"
 *   "=53万元"  -> op "=", value "53",     unit "万元"
 *   "=57.6万元"-> op "=", value "57.6",   unit "万元"
 *   "100%"     -> op "=", value "100",    unit "%"   (a bare number means =)
 *   "≤5天"     -> op "≤", value "5",      unit "天"
 *   ">=95%", "≧95%", "＞90", "<3" : ASCII and full-width forms fold to
 *                 ≥ ≤ > < =
 *   "显著提升" -> no op, no value, no unit (stays text only)
 *
 * value keeps the printed digits (an exact decimal as text, full-width
 * digits folded); unit is the trimmed rest.  The outputs are caller buffers.
 */
#ifndef ETL_INDICATOR_H
#define ETL_INDICATOR_H

#include <stdbool.h>
#include <stddef.h>

struct target {
	char op[8];     /* "" when the target is text only */
	char value[64]; /* "" likewise */
	char unit[64];  /* "" when none */
};

/* Returns true when a numeric target was found. */
bool target_parse(const char *text, struct target *t);

#endif
