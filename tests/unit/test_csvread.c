/*
 * Unit tests of etl/csvread.c: records out of decoded text through libcsv,
 * with the physical lines and byte offsets libcsv does not track, the same
 * whatever the chunking, and the caps that catch a runaway quote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

/* What the callback saw: one line per record, "line-end@offset|f1|f2...". */
struct seen {
	char text[8192];
	size_t used;
	long stop_after; /* stop once this many records were seen (0: never) */
	long count;
};

/* Append to s->text, never past its end (a long record is cut, and counted). */
static void append(struct seen *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->used + 1 >= sizeof(s->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->text + s->used, sizeof(s->text) - s->used, fmt, ap);
	va_end(ap);
	s->used +=
	    (size_t)n < sizeof(s->text) - s->used ? (size_t)n : sizeof(s->text) - 1 - s->used;
}

static int on_record(void *ctx, const struct csv_record *rec)
{
	struct seen *s = ctx;

	append(s, "%ld-%ld@%lld", rec->line, rec->end_line, (long long)rec->offset);
	for (int i = 0; i < rec->nfields; i++)
		append(s, "|%s", rec->field[i]);
	append(s, "\n");
	assert_int_equal(rec->index, ++s->count);
	return s->stop_after && s->count >= s->stop_after;
}

/*
 * Parse text fed in chunks of chunk bytes (0: all at once).  Returns what
 * csvread returned last (0, 1 or -1); seen and err receive the rest.
 */
static int parse(const char *text, size_t len, size_t chunk, char delim, struct seen *seen,
                 struct etl_err *err)
{
	struct csvread r;
	int rc = 0;

	etl_err_clear(err);
	assert_int_equal(csvread_init(&r, delim, on_record, seen, err), 0);
	for (size_t pos = 0; pos < len && rc == 0;) {
		size_t n = chunk && len - pos > chunk ? chunk : len - pos;

		rc = csvread_feed(&r, text + pos, n);
		pos += n;
	}
	if (rc == 0)
		rc = csvread_finish(&r);
	csvread_free(&r);
	return rc;
}

/* Parse all at once and expect success with exactly want. */
static void expect_records(const char *text, const char *want)
{
	struct seen seen = {0};
	struct etl_err err;

	if (parse(text, strlen(text), 0, ',', &seen, &err) != 0)
		fail_msg("%s: %s", err.reason, err.message);
	assert_string_equal(seen.text, want);
}

/* Parse expecting failure with reason at line; returns the error. */
static struct etl_err expect_error(const char *text, size_t len, const char *reason, long line)
{
	struct seen seen = {0};
	struct etl_err err;

	assert_int_equal(parse(text, len, 0, ',', &seen, &err), -1);
	if (strcmp(err.reason, reason) != 0 || err.line != line)
		fail_msg("got %s at line %ld (%s), want %s at line %ld", err.reason, err.line,
		         err.message, reason, line);
	return err;
}

/* ---- lines and offsets ---------------------------------------------------------- */

static void test_one_line_records_keep_their_line(void **state)
{
	(void)state;
	expect_records("a,b\n1,2\n", "1-1@0|a|b\n2-2@4|1|2\n");
}

static void test_quoted_field_spanning_lines_starts_and_ends(void **state)
{
	(void)state;
	expect_records("a,b\n1,\"x\ny\nz\"\n2,3\n", "1-1@0|a|b\n2-4@4|1|x\ny\nz\n5-5@14|2|3\n");
}

/* CRLF ends records; inside quotes it is kept as written. */
static void test_crlf(void **state)
{
	(void)state;
	expect_records("a,b\r\n\"1\r\n2\",3\r\n4,5\r\n", "1-1@0|a|b\n2-3@5|1\r\n2|3\n4-4@15|4|5\n");
}

/* libcsv skips empty lines; the lines after them keep their numbers. */
static void test_blank_lines_between_records_are_skipped(void **state)
{
	(void)state;
	expect_records("a\n\n\r\n\nb\n", "1-1@0|a\n5-5@6|b\n");
}

static void test_last_record_without_final_newline(void **state)
{
	(void)state;
	expect_records("a,b\n1,2", "1-1@0|a|b\n2-2@4|1|2\n");
	expect_records("a,b\n1,\"2\n3\"", "1-1@0|a|b\n2-3@4|1|2\n3\n");
}

/* Offsets count decoded bytes, so a Chinese character counts three. */
static void test_offsets_count_utf8_bytes(void **state)
{
	(void)state;
	expect_records("合计,1\n行政运行,2\n", "1-1@0|合计|1\n2-2@9|行政运行|2\n");
}

/* Trailing empty columns stay (",,,"); nothing is trimmed, not even U+3000. */
static void test_fields_are_kept_as_written(void **state)
{
	(void)state;
	expect_records(" a ,　　行政运行,,\n", "1-1@0| a |　　行政运行||\n");
}

/*
 * Bare CR ends a record too (libcsv treats CR and LF alike), but lines are
 * counted by LF: every record of a CR-only file is on line 1.
 */
static void test_bare_cr_ends_records_on_one_line(void **state)
{
	(void)state;
	expect_records("a,b\r1,2\r\"x\ry\",3\r", "1-1@0|a|b\n1-1@0|1|2\n1-1@0|x\ry|3\n");
}

static void test_tab_delimiter(void **state)
{
	struct seen seen = {0};
	struct etl_err err;
	static const char text[] = "科目\t金额\r\n\"a,b\"\t1,234.00\r\n";

	(void)state;
	assert_int_equal(parse(text, strlen(text), 0, '\t', &seen, &err), 0);
	assert_string_equal(seen.text, "1-1@0|科目|金额\n2-2@15|a,b|1,234.00\n");
}

/* ---- chunking -------------------------------------------------------------- */

/* The same records, lines and offsets whatever the size of the pieces fed. */
static void test_records_do_not_depend_on_chunking(void **state)
{
	static const char *const texts[] = {
	    "a,b\n1,\"x\ny\nz\"\n2,3\n",
	    "a,b\r\n\"1\r\n2\",3\r\n\r\n4,\"5\"\"6\"\r\n",
	    "合计,\"1,2\"\n\n\n行政运行,\"\"\n末行,无换行",
	    "a\rb\r\"c\rd\"\r",
	};

	(void)state;
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		struct seen whole = {0};
		struct etl_err err;

		assert_int_equal(parse(texts[t], strlen(texts[t]), 0, ',', &whole, &err), 0);
		for (size_t chunk = 1; chunk <= 7; chunk++) {
			struct seen piece = {0};

			assert_int_equal(
			    parse(texts[t], strlen(texts[t]), chunk, ',', &piece, &err), 0);
			if (strcmp(piece.text, whole.text) != 0)
				fail_msg("text %zu, chunk %zu:\n%s\nwant\n%s", t, chunk, piece.text,
				         whole.text);
		}
	}
}

/* The line an error names does not depend on the chunking either. */
static void test_error_lines_do_not_depend_on_chunking(void **state)
{
	static const struct {
		const char *text;
		long line;
	} cases[] = {
	    {"a,b\n1,\"abc\n\ndef\n", 2},
	    {"a,b\n\"x\ny\",1\nz,2\nw,\"a\"b\n", 5},
	    {"a,b\r\n\"x\r\n\"\"y\"\"\r\n", 2},
	    {"a,b\r\n1,\"\"\"x\r\ny\r\n", 2},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t chunk = 0; chunk <= 7; chunk++) {
			struct seen seen = {0};
			struct etl_err err;

			assert_int_equal(
			    parse(cases[i].text, strlen(cases[i].text), chunk, ',', &seen, &err),
			    -1);
			if (err.line != cases[i].line)
				fail_msg("case %zu, chunk %zu: line %ld (%s), want %ld", i, chunk,
				         err.line, err.message, cases[i].line);
		}
}

/* ---- caps --------------------------------------------------------------------- */

/*
 * A stray opening quote swallows every line after it; once the open field
 * passes CSVREAD_MAX_OPEN_FIELD the parse stops and the error names the line
 * where the quote opened.
 */
static void test_stray_quote_hits_field_cap_at_its_line(void **state)
{
	static const char head[] = "a,b\n1,2\n3,\"oops\n";
	static const char row[] = "2010301,12.00\n";
	size_t rows = CSVREAD_MAX_OPEN_FIELD / (sizeof(row) - 1) + 2;
	size_t len = sizeof(head) - 1 + rows * (sizeof(row) - 1);
	char *text = malloc(len + 1);
	struct etl_err err;

	(void)state;
	memcpy(text, head, sizeof(head) - 1);
	for (size_t i = 0; i < rows; i++)
		memcpy(text + sizeof(head) - 1 + i * (sizeof(row) - 1), row, sizeof(row) - 1);
	text[len] = '\0';
	err = expect_error(text, len, "too_large", 3);
	assert_non_null(strstr(err.message, "never closed"));
	free(text);
}

/* Records seen by collect_records(), with their oversize marks. */
static int oversize_seen[8], nseen;
static size_t oversize_len_seen[8];

static int note_oversize(void *ctx, const struct csv_record *rec)
{
	(void)ctx;
	if (nseen < 8) {
		oversize_seen[nseen] = rec->oversize_field;
		oversize_len_seen[nseen++] = rec->oversize_len;
	}
	return 0;
}

/*
 * Issue 14: a field longer than CSVREAD_MAX_FIELD that ends is handed on
 * empty with its record marked, and the records after it are read: the
 * caller rejects that row only.  Exactly the cap is an ordinary field.
 */
static void test_oversize_field_marks_its_record(void **state)
{
	size_t big = CSVREAD_MAX_FIELD + 1, len = 4 + CSVREAD_MAX_FIELD + 8 + big + 16;
	char *text = malloc(len), *p = text;
	struct csvread r;
	struct etl_err err;

	(void)state;
	p += sprintf(p, "a,\"");
	memset(p, 'x', CSVREAD_MAX_FIELD);
	p += CSVREAD_MAX_FIELD;
	p += sprintf(p, "\"\nb,\"");
	memset(p, 'y', big);
	p += big;
	p += sprintf(p, "\"\nc,d\n");
	nseen = 0;
	etl_err_clear(&err);
	assert_int_equal(csvread_init(&r, ',', note_oversize, NULL, &err), 0);
	assert_int_equal(csvread_feed(&r, text, (size_t)(p - text)), 0);
	assert_int_equal(csvread_finish(&r), 0);
	csvread_free(&r);
	assert_int_equal(nseen, 3);
	assert_int_equal(oversize_seen[0], 0);
	assert_int_equal(oversize_seen[1], 2);
	assert_int_equal(oversize_len_seen[1], big);
	assert_int_equal(oversize_seen[2], 0);
	free(text);
}

/* The same stray quote in a short file: the end of input names its line. */
static void test_file_ending_inside_quotes_names_the_opening_line(void **state)
{
	static const char text[] = "a,b\n1,\"abc\n\ndef\n";
	struct etl_err err;

	(void)state;
	err = expect_error(text, strlen(text), "bad_csv", 2);
	assert_non_null(strstr(err.message, "opened at line 2"));
}

/* A line of n fields "x,x,...,x\n"; the caller frees. */
static char *fields_line(int n, size_t *len)
{
	char *text = malloc(2 * (size_t)n + 1);

	for (int i = 0; i < n; i++)
		memcpy(text + 2 * i, i + 1 < n ? "x," : "x\n", 2);
	text[2 * n] = '\0';
	*len = 2 * (size_t)n;
	return text;
}

static void test_column_cap(void **state)
{
	struct seen seen = {0};
	struct etl_err err;
	size_t len;
	char *at_cap = fields_line(CSVREAD_MAX_COLUMNS, &len);
	char *over = fields_line(CSVREAD_MAX_COLUMNS + 1, &len);

	(void)state;
	assert_int_equal(parse(at_cap, strlen(at_cap), 0, ',', &seen, &err), 0);
	assert_int_equal(seen.count, 1);
	err = expect_error(over, len, "too_large", 1);
	assert_non_null(strstr(err.message, "columns"));
	free(at_cap);
	free(over);
}

/* ---- strict mode ------------------------------------------------------------------ */

static void test_text_after_closing_quote_is_an_error(void **state)
{
	(void)state;
	expect_error("a,b\n\"a\"b,c\n", 11, "bad_csv", 2);
}

static void test_quote_inside_unquoted_field_is_an_error(void **state)
{
	(void)state;
	expect_error("a,b\n1,2\n37'36.8\"N,x\n", 20, "bad_csv", 3);
}

/*
 * Regression: the line of an earlier multi-line quoted field was kept, so a
 * later error was reported at that earlier line.
 */
static void test_error_after_multiline_field_names_its_own_line(void **state)
{
	static const char text[] = "a,b\n\"x\ny\",1\nz,2\nw,\"a\"b\n";
	struct etl_err err;

	(void)state;
	err = expect_error(text, strlen(text), "bad_csv", 5);
	assert_non_null(strstr(err.message, "line 5"));
}

/* ---- stopping --------------------------------------------------------------------- */

static void test_callback_stops_the_parse(void **state)
{
	struct seen seen = {.stop_after = 2};
	struct etl_err err;
	static const char text[] = "a\nb\nc\nd\n";

	(void)state;
	assert_int_equal(parse(text, strlen(text), 0, ',', &seen, &err), 1);
	assert_string_equal(seen.text, "1-1@0|a\n2-2@2|b\n");
	assert_string_equal(err.reason, "");
}

/* Bare-CR records share one fed piece: the stop still holds within it. */
static void test_callback_stops_within_one_piece(void **state)
{
	struct seen seen = {.stop_after = 1};
	struct etl_err err;
	static const char text[] = "a\rb\rc\r";

	(void)state;
	assert_int_equal(parse(text, strlen(text), 0, ',', &seen, &err), 1);
	assert_string_equal(seen.text, "1-1@0|a\n");
}

/* Stopping on the last record, which only csvread_finish() delivers. */
static void test_callback_stops_at_finish(void **state)
{
	struct seen seen = {.stop_after = 2};
	struct etl_err err;
	static const char text[] = "a\nb";

	(void)state;
	assert_int_equal(parse(text, strlen(text), 0, ',', &seen, &err), 1);
	assert_string_equal(seen.text, "1-1@0|a\n2-2@2|b\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_line_records_keep_their_line),
	    cmocka_unit_test(test_quoted_field_spanning_lines_starts_and_ends),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_blank_lines_between_records_are_skipped),
	    cmocka_unit_test(test_last_record_without_final_newline),
	    cmocka_unit_test(test_offsets_count_utf8_bytes),
	    cmocka_unit_test(test_fields_are_kept_as_written),
	    cmocka_unit_test(test_bare_cr_ends_records_on_one_line),
	    cmocka_unit_test(test_tab_delimiter),
	    cmocka_unit_test(test_records_do_not_depend_on_chunking),
	    cmocka_unit_test(test_error_lines_do_not_depend_on_chunking),
	    cmocka_unit_test(test_stray_quote_hits_field_cap_at_its_line),
	    cmocka_unit_test(test_oversize_field_marks_its_record),
	    cmocka_unit_test(test_file_ending_inside_quotes_names_the_opening_line),
	    cmocka_unit_test(test_column_cap),
	    cmocka_unit_test(test_text_after_closing_quote_is_an_error),
	    cmocka_unit_test(test_quote_inside_unquoted_field_is_an_error),
	    cmocka_unit_test(test_error_after_multiline_field_names_its_own_line),
	    cmocka_unit_test(test_callback_stops_the_parse),
	    cmocka_unit_test(test_callback_stops_within_one_piece),
	    cmocka_unit_test(test_callback_stops_at_finish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
