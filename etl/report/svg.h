/*
 * svg: the report's charts, drawn as inline SVG (no script, no external
 * file, no font download).
 *
 * One kind of chart: horizontal bars, one item per row, its label on the
 * left and its value on the right above the bar.  Lengths are percentages
 * of the chart's width and the text is not scaled, so the chart stays
 * legible at 1280 px, on a phone and on A4.  A chart of rates marks 100 %
 * with a dashed tick across every bar.
 *
 * Every text (labels, values, titles) is escaped (escape.h).  Each bar is
 * a <rect class="bar"> carrying data-code when the item has a code, and a
 * <title> (the tooltip) with its label and value.
 *
 * Ownership: the caller's items, borrowed for the call; nothing kept.
 */
#ifndef ETL_REPORT_SVG_H
#define ETL_REPORT_SVG_H

#include <stdio.h>

struct svg_bar {
	const char *code;  /* data-code, or NULL */
	const char *label; /* from the data */
	const char *value; /* shown on the right, e.g. "555.28 万元" */
	int length;        /* 0..10000: 1/10000 of the width */
	const char *tone;  /* extra class of the bar ("low", "high"), or NULL / "" */
};

struct svg_chart {
	const char *id;    /* element id, or NULL */
	const char *title; /* what it shows: aria-label and <title> */
	int mark;          /* where 100 % lies in 1/10000 of the width; < 0: no mark */
	const struct svg_bar *bars;
	int n;
};

void svg_bars(FILE *out, const struct svg_chart *c);

#endif
