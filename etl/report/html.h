/*
 * html: what every page of the review report shares: the document head
 * with its style sheet (screen, phone and A4 print), the Chinese labels
 * of the codes the views carry, and cells of amounts and counts.
 *
 * Pages are self-contained: the style is inline, there is no script, no
 * font, image or style sheet from elsewhere, and a Content-Security-Policy
 * that forbids all of them, so a page opens offline and as an attachment,
 * and nothing in it can run even if escaping failed somewhere.
 *
 * Numbers: amounts arrive in yuan as numeric text and are shown with
 * thousands separators (numfmt.h), right-aligned (class "num"); an empty
 * value (SQL NULL) shows as "—".
 *
 * Ownership: writes to the caller's FILE; the label functions return
 * static strings.
 */
#ifndef ETL_REPORT_HTML_H
#define ETL_REPORT_HTML_H

#include <stdbool.h>
#include <stdio.h>

/*
 * <!DOCTYPE html> … <body><main>: title (escaped), the page's class on
 * <body> ("index" or "sheet").
 */
void html_begin(FILE *out, const char *title, const char *body_class);
/* The footer line and </main></body></html>. */
void html_end(FILE *out, const char *generated_at, const char *tz);

/* 预算, 决算, 调整预算; "" for an unknown stage. */
const char *html_stage(const char *stage);
/* 部门, 单位; "" when unknown. */
const char *html_scope(const char *scope);

/* yuan as 万元 ("748.03"), or "—" for ""; buf of NUMFMT_MAX. */
const char *html_wan(const char *yuan, char *buf);
/* yuan with separators ("7,480,300.00"), or "—". */
const char *html_yuan(const char *yuan, char *buf);
/* a count or line number with separators ("1,234"), or "—". */
const char *html_int(const char *n, char *buf);
/* a fraction as percent ("98.61%"), or "—". */
const char *html_pct(const char *fraction, char *buf);

/* <td class="num">text</td>; text is ours (formatted), not escaped. */
void html_num_cell(FILE *out, const char *text);
/*
 * <td class="CLS" data-label="LABEL"> (either may be NULL): a cell of a
 * table of class "stack", whose rows become cards on a phone, each cell
 * led by its label.
 */
void html_td(FILE *out, const char *cls, const char *label);

/* <td class="num"> with 万元 over 元 for one amount in yuan; label as html_td. */
void html_amount_cell(FILE *out, const char *label, const char *yuan);
/* <td>text</td> with text escaped. */
void html_text_cell(FILE *out, const char *text);

#endif
