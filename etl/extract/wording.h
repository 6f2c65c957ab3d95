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

/* Who published the table (FINAL_ACCOUNTS §1.5): a 部门 (consolidated) or one 单位. */
enum scope { SCOPE_DEPARTMENT = 0, SCOPE_UNIT };

#define TITLE_SKIP (-1) /* a provincial extra: recognised, not loaded */

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
	struct wording_list titles, kinds, headers, labels, meta, equiv;
};

int wording_load(struct wording *w, const char *config_dir, struct etl_err *err);
void wording_free(struct wording *w);

struct title_info {
	int kind; /* 1..10, TITLE_SKIP for an extra, 0 when not a title */
	int year; /* 0 when the title has no year */
	enum stage stage;
	enum scope scope;
};

/*
 * Recognise a title cell by its meaning ("2023年部门收支总表", "表1 2025年
 * 预算单位收入预算总表", "公开05表 一般公共预算财政拨款支出决算表"): the
 * ordered rules of kinds.tsv after the year, numbering, stage and scope
 * words are taken out, then the exceptions of titles.tsv.  The stage and
 * scope come from the title alone.
 */
struct title_info wording_title(const struct wording *w, const char *cell);

const char *stage_name(enum stage s); /* budget, adjusted, final */
const char *scope_name(enum scope s); /* department, unit */

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
