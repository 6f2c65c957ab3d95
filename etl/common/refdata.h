/*
 * refdata: the classification reference lists of config/classifications/,
 * read into memory for code validation (normalize) and for loading the
 * classification dimensions (load).
 *
 * Files (all UTF-8 CSV with a header line, read with libcsv):
 *   config/classifications/<year>/function.csv   code,name,level,parent_code
 *   config/classifications/<year>/econ_dept.csv  code,name,level,parent_code
 *   config/classifications/<year>/econ_gov.csv   code,name,level,parent_code
 *   each with a sidecar <file>.meta (key = value lines: complete = true|false,
 *   source, method, lacks) saying how it was established
 *   config/classifications/<year>/econ_crosswalk.csv unit_type,dept_code,gov_code
 *   config/classifications/changes.csv  scheme,from_year,from_code,to_year,to_code,change,note
 *   config/classifications/cofog.csv    class_code,cofog_division,cofog_name,basis
 *   config/classifications/old_names.csv code,name,until_year,source
 *       (names a function code had in earlier editions that submissions still
 *        print: recognised by code, a passed code_name_old check)
 *   config/classifications/local/ (*.csv files)  scheme,fiscal_year,code,name,level,parent_code
 *       (user additions; empty fiscal_year = every year; scheme is
 *        function, econ_dept or econ_gov)
 * level: 1 类, 2 款, 3 项.
 *
 * Ownership: struct refdata owns everything it points to; pointers returned
 * by the lookups are borrowed and valid until refdata_free().
 * Errors: refdata_load returns -1 with err naming the file and line
 * (reason "bad_config").
 */
#ifndef ETL_REFDATA_H
#define ETL_REFDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum scheme { SCHEME_FUNCTION = 0, SCHEME_ECON_DEPT, SCHEME_ECON_GOV, SCHEME_COUNT };

struct ref_code {
	char code[16];
	char *name;
	char *key; /* name folded by text_key(): what lookups by name compare */
	int level;
	char parent[16]; /* "" for a 类 */
};

struct ref_list {
	int year;
	enum scheme scheme;
	bool complete;          /* from the sidecar: an official, complete edition */
	struct ref_code *codes; /* sorted by code */
	size_t n;
	size_t *classes; /* indexes of the level-1 codes (类), in code order */
	size_t nclasses;
};

struct crosswalk_entry {
	int year;
	char unit_type[32];
	char dept_code[16];
	char gov_code[16];
};

struct code_change {
	enum scheme scheme;
	int from_year;
	char from_code[16];
	int to_year;
	char to_code[16];
	char change[16];
	char *note;
};

struct cofog_entry {
	char class_code[16];
	char division[8];
	char *name;
};

struct old_name {
	char code[16];
	char *key; /* the name folded with text_key() */
	int until; /* the last year of that name (0 unknown), for messages */
};

struct refdata {
	struct ref_list *lists; /* one per (year, scheme) present, local codes merged */
	size_t nlists;
	struct crosswalk_entry *crosswalk;
	size_t ncrosswalk;
	struct code_change *changes;
	size_t nchanges;
	struct cofog_entry *cofog;
	size_t ncofog;
	struct old_name *old_names;
	size_t nold_names;
	/* refdata_load_for_validation: a year's lists are read when first asked for */
	bool lazy;
	char *lazy_dir;
	int *lazy_years; /* the year folders found */
	size_t nlazy_years;
	int *lazy_loaded; /* years read (or tried) */
	size_t nlazy_loaded;
	bool lazy_failed; /* a year's lists could not be read: lazy_err says why */
	struct etl_err lazy_err;
};

/* Read every list under dir (normally "config/classifications"). */
int refdata_load(struct refdata *rd, const char *dir, struct etl_err *err);
/*
 * What code validation needs only (normalize): the function and departmental
 * economic lists, local additions and old names; no government economic
 * list, crosswalk, changes or COFOG table.  A year's lists are read when
 * refdata_list() first asks for that year (a run reads one or two of them);
 * a list that cannot be read then makes refdata_list() return NULL and
 * refdata_error() say why.
 */
int refdata_load_for_validation(struct refdata *rd, const char *dir, struct etl_err *err);
/* Why a lazily read list could not be read (bad_config), or NULL. */
const struct etl_err *refdata_error(const struct refdata *rd);
void refdata_free(struct refdata *rd);

/* The list for a year and scheme, or NULL when none is configured. */
const struct ref_list *refdata_list(const struct refdata *rd, int year, enum scheme s);

/* Exact code lookup (binary search), or NULL. */
const struct ref_code *ref_find(const struct ref_list *l, const char *code);

/*
 * The child of parent (a canonical code; NULL or "" for the 类 level) whose
 * name matches name after text_key() folding, or NULL.  *ambiguous is set
 * when more than one child matches.
 */
const struct ref_code *ref_find_child_by_name(const struct ref_list *l, const char *parent,
                                              const char *name, bool *ambiguous);

/*
 * Up to max codes of the same level nearest to code (same 款 first, then same
 * 类, then numerically closest), for "did you mean" messages.  Returns how
 * many.
 */
int ref_nearest(const struct ref_list *l, const char *code, const struct ref_code **out, int max);

/* The government economic code for a department code and unit type, or NULL. */
const char *refdata_crosswalk(const struct refdata *rd, int year, const char *unit_type,
                              const char *dept_code);

/* An earlier name of a function code matching name (text_key folding), or NULL. */
const struct old_name *refdata_old_name(const struct refdata *rd, const char *code,
                                        const char *name);

/* Years that have a function list, ascending; returns how many (<= max). */
int refdata_years(const struct refdata *rd, int *years, int max);

#endif
