/*
 * classify: code normalisation against the year's classification list.
 *
 * For each classified row of a table (in file order) classify_row() decides
 * the canonical code and its level, or why the row is rejected:
 *   - a row with no code gets it from its name, looked up under the
 *     enclosing 款 (a 项 name), then under the enclosing 类 (a 款 name),
 *     then among the 类; unknown or ambiguous names are rejected;
 *   - a malformed code, a code whose 类 (or, for a 项, whose 款) is not in
 *     the year's list, or a code that disagrees with the enclosing 类/款 row
 *     above it, is rejected with the nearest valid codes and how to add a
 *     legitimate missing code;
 *   - a well-formed code under a known parent that the list lacks is kept
 *     when the list is marked incomplete (out->missing set: the caller
 *     records a failed check) and rejected when it is complete; so is a 项
 *     whose 款 the incomplete list lacks when the table printed that 款 as
 *     the row above it (the table itself gives the parent);
 *   - a printed name that differs from the reference name sets
 *     out->name_differs (a recorded check, not a rejection).
 *
 * Ownership: the context borrows the refdata; outputs are caller buffers.
 * Errors: -1 with err->reason (unknown_code, unknown_name, ambiguous_name,
 * bad_code, code_parent_mismatch) and a Chinese message.
 */
#ifndef ETL_CLASSIFY_H
#define ETL_CLASSIFY_H

#include <stdbool.h>

#include "err.h"
#include "refdata.h"

struct classify_ctx {
	const struct refdata *rd;
	const struct ref_list *list;
	int year;
	int max_level;      /* 3 for function codes, 2 for economic codes */
	const char *what;   /* "功能分类科目" or "经济分类科目" */
	char cur_class[16]; /* the last 类 row seen in this file */
	char cur_section[16];
};

struct classify_out {
	char code[16];
	int level;
	bool missing; /* not in an incomplete list: kept, check fails */
	bool name_differs;
	bool old_name; /* the printed name is an earlier name of the code (old_names.csv) */
	char ref_name[256];
	char note[512]; /* message for the missing / name check */
};

/*
 * Start a table of kind (2, 3, 5, 8, 10: function; 6: economic).  Returns -1
 * with reason no_classification (exit 78) when the year has no list.
 */
int classify_begin(struct classify_ctx *c, const struct refdata *rd, int kind, int year,
                   struct etl_err *err);

int classify_row(struct classify_ctx *c, const char *code, const char *name,
                 struct classify_out *out, struct etl_err *err);

/* A 类 of the function list by its name, or an earlier name of it (table 1 and 4 expense lines). */
const char *classify_class_by_name(const struct refdata *rd, int year, const char *label);

#endif
