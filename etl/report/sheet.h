/*
 * sheet: one department's feedback sheet (审核意见) for one year, the page a
 * finance bureau sends back to the department, and the same items as CSV.
 *
 *   <year>/<dept>.html  every rejected file and row (file, line, column,
 *                       raw text, reason in Chinese), every failed check
 *                       (table and row, expected, actual, difference in
 *                       万元 and yuan), the department's totals, a chart of
 *                       its function classes (and of its execution by class
 *                       when its 决算 is loaded); printable on A4
 *   <year>/<dept>.csv   the same items, one per line, for Excel: UTF-8 with
 *                       a BOM, CRLF, every field quoted, text that Excel
 *                       would take for a formula written as text (escape.h),
 *                       amounts as plain numbers in yuan and in 万元
 *
 * The department is row dept of M_DEPTS; its rows in the per-department
 * results are the spans given (model_span).
 *
 * Ownership: writes to the caller's FILE (errors: ferror, checked by the
 * caller); keeps nothing.
 */
#ifndef ETL_REPORT_SHEET_H
#define ETL_REPORT_SHEET_H

#include <stdio.h>

#include "model.h"

struct sheet_span {
	int begin, end;
};

struct sheet_spans {
	struct sheet_span rejects, checks, classes, exec;
};

void sheet_html(FILE *out, const struct site *s, int dept, const struct sheet_spans *sp);

/*
 * The table of rejects: rows [begin, end) of m (M_REJECTS, or M_ORPHANS for
 * the index), a row per reject, stacked as cards on a phone.
 */
void sheet_rejects_table(FILE *out, const struct site *s, enum model_result m, int begin, int end);
void sheet_csv(FILE *out, const struct site *s, int dept, const struct sheet_spans *sp);

#endif
