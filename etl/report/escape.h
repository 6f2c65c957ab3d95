/*
 * escape: text from the data made inert in the report's two outputs.
 *
 * Every text the report writes that came from a file or the database
 * (department names, file paths, raw cells, messages) goes through here, so
 * that nothing executes from the data:
 *
 *   HTML  & < > " ' become entities, in element text and in attribute
 *         values alike (a name "<script>alert(1)</script>" is shown, not
 *         run); control characters other than TAB, LF and CR become the
 *         visible text \xHH; bytes that are not UTF-8 become \xHH too.
 *   CSV   RFC 4180 with every field quoted ("" inside).  A text field that
 *         starts with = + - @ TAB or CR, which a spreadsheet would take as a
 *         formula, gets a leading apostrophe so that Excel shows it as text
 *         (OWASP "CSV injection").  Numbers are written as they are.
 *
 * Ownership: the functions write to a caller's FILE and keep nothing.
 * Errors: none reported here; the caller checks ferror() once per file.
 */
#ifndef ETL_REPORT_ESCAPE_H
#define ETL_REPORT_ESCAPE_H

#include <stdbool.h>
#include <stdio.h>

/* s (NULL: nothing) escaped for HTML element text or a quoted attribute value. */
void esc_html(FILE *out, const char *s);

/* The same for at most n bytes of s (cut on a character boundary). */
void esc_html_n(FILE *out, const char *s, size_t n);

/* True when a spreadsheet would read text s as a formula. */
bool esc_csv_formula_like(const char *s);

/*
 * One CSV field, quoted: a comma first unless first.  text: s is text from
 * the data (guarded against formulas); false: s is a number we formatted
 * ("-1000000.00" stays a number).  NULL writes an empty field.
 */
void esc_csv(FILE *out, bool first, const char *s, bool text);

#endif
