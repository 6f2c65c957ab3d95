/*
 * pages: the review report's static site, written into DIR:
 *
 *   DIR/index.html            the last run (when, files loaded, unchanged and
 *                             rejected, rows, exit status, the rejects of no
 *                             department), then per year: a table of the
 *                             departments (totals in 万元, failed checks,
 *                             rejects, a link to each sheet) and charts:
 *                             expenditure by 类 across departments, each
 *                             department's share, and when a 决算 is loaded
 *                             the execution rate per department and per 类
 *   DIR/<year>/<dept>.html    the department's feedback sheet (sheet.h)
 *   DIR/<year>/<dept>.csv     its items for Excel (sheet.h)
 *
 * A department whose code cannot be a file name (anything but 1-60 of
 * [0-9A-Za-z_-]) gets no sheet; the index lists it without a link and
 * the count is returned, so nothing from the data names a path outside DIR.
 *
 * Errors: -1 with err->reason "cant_create" (outdir.h) when a folder or
 * file cannot be written; files written before stay (each whole).
 */
#ifndef ETL_REPORT_PAGES_H
#define ETL_REPORT_PAGES_H

#include <stdbool.h>

#include "err.h"
#include "model.h"

struct pages_stats {
	int years;       /* year sections of the index */
	int sheets;      /* department sheets written (each .html and .csv) */
	int no_sheet;    /* departments whose code cannot name a file */
	long long bytes; /* written in all */
};

int pages_write(const struct site *s, const char *dir, struct pages_stats *st, struct etl_err *err);

/* True when code can name a sheet's file: 1-60 of [0-9A-Za-z_-]. */
bool pages_safe_code(const char *code);

#endif
