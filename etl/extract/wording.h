/*
 * wording: the table titles, header wording, row labels and meta-line
 * wording of config/wording/ (*.tsv files), so a province's own wording is a line in
 * a file, not a recompile.  Every comparison uses text_key() folding
 * (half-width, no spaces, no punctuation).
 *
 * Ownership: struct wording owns its entries until wording_free(); returned
 * strings are borrowed from it.  Errors: wording_load returns -1 with
 * reason bad_config naming the file and line.
 */
#ifndef ETL_WORDING_H
#define ETL_WORDING_H

#include <stddef.h>

#include "err.h"

#define WORDING_KEY 256

enum stage { STAGE_BUDGET = 0, STAGE_ADJUSTMENT, STAGE_FINAL };

struct wording_entry {
	unsigned kinds;        /* bit k set for table kind k (headers) */
	int kind;              /* table kind (titles) */
	char what[32];         /* field (headers), key (labels), class (meta, labels) */
	char key[WORDING_KEY]; /* folded wording; headers: parts joined by '/' */
};

struct wording_list {
	struct wording_entry *e;
	size_t n, cap;
};

struct wording {
	struct wording_list titles, headers, labels, meta;
};

int wording_load(struct wording *w, const char *config_dir, struct etl_err *err);
void wording_free(struct wording *w);

struct title_info {
	int kind; /* 0 when not a known title */
	int year; /* 0 when the title has no year */
	enum stage stage;
};

/* Recognise a title cell ("2023年部门收支总表", "表1 2025年部门收入预算总表"). */
struct title_info wording_title(const struct wording *w, const char *cell);

const char *stage_name(enum stage s);

/*
 * The field of a header column for a table kind, from its header path
 * (parts from the top header row down, empty parts skipped by the caller,
 * n >= 1).  NULL when no wording matches.
 */
const char *wording_header_field(const struct wording *w, int kind, const char *const *parts,
                                 int n);

/* The key of a row label of class "total", "income" or "expense", or NULL. */
const char *wording_label(const struct wording *w, const char *cls, const char *label);

/*
 * Meta-line wording: does cell start with a wording of class (dept_prefix,
 * table_number, column_numbers) or contain one (note)?  For dept_prefix,
 * *rest receives the text after the prefix and its colon (a pointer into
 * cell), and the match requires a colon.
 */
int wording_meta(const struct wording *w, const char *cls, const char *cell, const char **rest);

#endif
