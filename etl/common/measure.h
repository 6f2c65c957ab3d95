/*
 * measure: the vocabulary of the row stream's key=value fields, from
 * measure.def (the one list; see there for the classes).
 *
 * Ownership: everything returned points into a static table.
 */
#ifndef ETL_MEASURE_H
#define ETL_MEASURE_H

#include <stddef.h>

enum measure_class { MEASURE_AMOUNT, MEASURE_TEXT, MEASURE_LINE, MEASURE_HINT };

struct measure_info {
	const char *key;
	const char *name; /* Chinese, for messages and core.dim_measure */
	enum measure_class cls;
};

/* The entry of key, or NULL when key is not in the vocabulary. */
const struct measure_info *measure_find(const char *key);
/* Same for a key of len bytes (a key=value field not cut at '='). */
const struct measure_info *measure_findn(const char *key, size_t len);
/* True when key is an amount measure. */
int measure_is_amount(const char *key);
/* The Chinese name of key, or key itself when it is not in the list. */
const char *measure_name(const char *key);
/* The i-th entry (0..), NULL past the end: for listing (core.dim_measure). */
const struct measure_info *measure_at(size_t i);

#endif
