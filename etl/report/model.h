/*
 * model: everything the review report shows, read from schema mart in one
 * snapshot (pgread.h), as query results the pages walk through.
 *
 * Each result has the fixed columns of its enum below, every value text
 * (PQgetvalue; amounts are numeric text in yuan, "" where SQL gave NULL
 * unless said otherwise).  Chart geometry is computed by the queries on
 * exact numerics: a "bar" column is the bar's length in 1/10000 of the
 * chart's width (0..10000), a "mark" column the position of 100 %.  A rate
 * chart spans the largest rate, at least 110 % (so 100 % is never at the
 * edge) and at most 200 %.
 *
 * Order: the per-year results run by fiscal_year descending (the latest
 * year first), then by their own key; the per-department results by
 * fiscal_year descending, then dept_code in byte order (COLLATE "C"), the
 * order of M_DEPTS, so that pages can walk them side by side
 * (model_span).
 *
 * Ownership: struct site owns its results until model_free().
 * Errors: -1 with err filled by pgread (its reasons).
 */
#ifndef ETL_REPORT_MODEL_H
#define ETL_REPORT_MODEL_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "err.h"
#include "pgread.h"

/* The results, in the order they are read. */
enum model_result {
	M_NOW,          /* one row: when the snapshot was taken */
	M_RUN,          /* the last run: one row per stage and publication scope */
	M_RUN_TOTAL,    /* the last run's totals (no row when there was no run) */
	M_ORPHANS,      /* the last run's rejects that belong to no department */
	M_DEPTS,        /* one row per year and department */
	M_CLASSES,      /* expenditure by 类 across departments, per year */
	M_SHARES,       /* each department's share of the year's expenditure */
	M_EXEC_DEPTS,   /* execution rate per department (决算 loaded) */
	M_EXEC_CLASSES, /* execution rate per 类 across departments */
	M_DEPT_CLASSES, /* expenditure by 类, per department */
	M_DEPT_EXEC,    /* execution rate by 类, per department */
	M_REJECTS,      /* the standing rejects, per department */
	M_CHECKS,       /* the failed checks, per department */
	M_COUNT
};

enum { NOW_AT, NOW_TZ };

enum {
	RUN_ID,
	RUN_STARTED,
	RUN_FINISHED,
	RUN_EXIT,
	RUN_EXIT_TEXT,
	RUN_SECONDS,
	RUN_STAGE,
	RUN_SCOPE,
	RUN_FILES_SEEN,
	RUN_FILES_LOADED,
	RUN_FILES_UNCHANGED,
	RUN_FILES_REJECTED,
	RUN_FILES_SKIPPED,
	RUN_ROWS_READ,
	RUN_ROWS_LOADED,
	RUN_ROWS_REJECTED,
	RUN_WITHDRAWALS
};

/* M_ORPHANS and M_REJECTS share their columns. */
enum {
	RJ_YEAR,
	RJ_DEPT,
	RJ_STAGE,
	RJ_TABLE,
	RJ_FILE_NAME,
	RJ_FILE_PATH,
	RJ_LINE,
	RJ_COLUMN,
	RJ_RAW,
	RJ_REASON,
	RJ_REASON_TEXT,
	RJ_MESSAGE,
	RJ_FILE_STATUS,
	RJ_RUN
};

enum {
	D_YEAR,
	D_CODE,
	D_NAME,
	D_REGION,
	D_REVENUE,
	D_EXPENDITURE,
	D_BASIC,
	D_PROJECT,
	D_GPB_BUDGET, /* general budget (table 5): budget, final and rate */
	D_GPB_FINAL,
	D_GPB_RATE,
	D_CHECKS_BUDGET,
	D_CHECKS_FINAL,
	D_FILES_REJECTED,
	D_ROWS_REJECTED,
	D_HAS_FINAL /* "t" when a 决算 is loaded */
};

/* M_CLASSES, and M_DEPT_CLASSES with the department after the year */
enum { CL_YEAR, CL_CODE, CL_NAME, CL_TOTAL, CL_BAR };
enum { DC_YEAR, DC_DEPT, DC_CODE, DC_NAME, DC_TOTAL, DC_BAR };

enum { SH_YEAR, SH_RANK, SH_DEPT, SH_NAME, SH_TOTAL, SH_PCT, SH_BAR, SH_OTHERS };

/* M_EXEC_DEPTS */
/*
 * The rate charts: "tone" is "low" below 90 %, "high" above 100 %, else "";
 * the bar of a rate beyond the chart's scale (200 %) is drawn full.
 */
enum { ED_YEAR, ED_DEPT, ED_NAME, ED_RATE, ED_BAR, ED_MARK, ED_COUNT, ED_TONE };
/* M_EXEC_CLASSES, and M_DEPT_EXEC with the department after the year */
enum { EC_YEAR, EC_CODE, EC_NAME, EC_RATE, EC_BAR, EC_MARK, EC_BUDGET, EC_FINAL, EC_TONE };
enum { DE_YEAR, DE_DEPT, DE_CODE, DE_NAME, DE_RATE, DE_BAR, DE_MARK, DE_BUDGET, DE_FINAL, DE_TONE };

enum {
	CK_YEAR,
	CK_DEPT,
	CK_STAGE,
	CK_TABLE,
	CK_NAME,
	CK_SUBJECT,
	CK_EXPECTED,
	CK_ACTUAL,
	CK_DIFFERENCE,
	CK_MESSAGE,
	CK_ROWS
};

struct site {
	PGresult *r[M_COUNT];
	const char *year; /* --year, or NULL for every year (borrowed) */
};

/* Read everything (year: only that fiscal year, NULL: all). */
int model_read(struct site *s, struct pgr *c, const char *year, struct etl_err *err);
void model_free(struct site *s);

/* Rows of a result, and one value ("" for NULL). */
int model_rows(const struct site *s, enum model_result m);
const char *model_get(const struct site *s, enum model_result m, int row, int col);
bool model_null(const struct site *s, enum model_result m, int row, int col);

/*
 * The rows of result m that belong to (year, dept) (dept NULL: to the year),
 * for a walk in M_DEPTS order: *pos is the walk's position in m, moved past
 * the rows before and inside the span; [*begin, *end) the span.
 */
void model_span(const struct site *s, enum model_result m, int *pos, const char *year,
                const char *dept, int *begin, int *end);

#endif
