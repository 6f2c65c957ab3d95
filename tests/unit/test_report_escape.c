/*
 * Unit tests of etl/report/escape.c and numfmt.c: what the review report
 * writes from the data (HTML text, CSV cells) and how it shows amounts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "numfmt.h"
#include "pages.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What f(out, s) writes, as a string owned by the caller. */
static char *capture_html(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	esc_html(f, s);
	fclose(f);
	return buf;
}

static char *capture_csv(const char *s, bool text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	esc_csv(f, true, s, text);
	fclose(f);
	return buf;
}

static void test_html(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"a & b", "a &amp; b"},
	    {"\"onload=x' ", "&quot;onload=x&#39; "},
	    {"南昌市西湖区财政局", "南昌市西湖区财政局"},
	    {"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
	    {"tab\there\nline", "tab\there\nline"},
	    {"esc\x1b[31m", "esc\\x1B[31m"},
	    {"del\x7f", "del\\x7F"},
	    {"gbk \xb1\xed", "gbk \\xB1\\xED"}, /* not UTF-8 */
	    {"cut \xe5\x8d", "cut \\xE5\\x8D"}, /* a character cut short */
	    {"surrogate \xed\xa0\x80", "surrogate \\xED\\xA0\\x80"},
	    {"", ""},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char *got = capture_html(cases[i].in);

		if (strcmp(got, cases[i].out) != 0)
			fail_msg("html \"%s\": got \"%s\", want \"%s\"", cases[i].in, got,
			         cases[i].out);
		free(got);
	}
	{
		char *got = capture_html(NULL);

		assert_string_equal(got, "");
		free(got);
	}
}

static void test_html_n(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	/* 4 bytes of "财政局": the cut falls inside the second character */
	esc_html_n(f, "财政局", 4);
	fclose(f);
	assert_string_equal(buf, "财");
	free(buf);
}

static void test_csv(void **state)
{
	static const struct {
		const char *in;
		bool text;
		const char *out;
	} cases[] = {
	    {"=57.60", true, "\"'=57.60\""},
	    {"+1", true, "\"'+1\""},
	    {"-1+2", true, "\"'-1+2\""},
	    {"@SUM(A1)", true, "\"'@SUM(A1)\""},
	    {"\t=1", true, "\"'\t=1\""},
	    {"\r=1", true, "\"'\r=1\""},
	    {"=HYPERLINK(\"http://x\",\"y\")", true, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
	    {" =1", true, "\" =1\""},
	    {"表3 部门支出总表.csv", true, "\"表3 部门支出总表.csv\""},
	    {"a,b\nc", true, "\"a,b\nc\""},
	    {"-1000000.00", false, "\"-1000000.00\""},
	    {"7480300.00", false, "\"7480300.00\""},
	    {"", true, "\"\""},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char *got = capture_csv(cases[i].in, cases[i].text);

		if (strcmp(got, cases[i].out) != 0)
			fail_msg("csv \"%s\": got [%s], want [%s]", cases[i].in, got, cases[i].out);
		free(got);
	}
	{
		char *got = capture_csv(NULL, true);

		assert_string_equal(got, "");
		free(got);
	}
	assert_true(esc_csv_formula_like("=1"));
	assert_false(esc_csv_formula_like("1"));
	assert_false(esc_csv_formula_like(NULL));
}

static void test_csv_separators(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	esc_csv(f, true, "a", true);
	esc_csv(f, false, NULL, true);
	esc_csv(f, false, "12", false);
	fclose(f);
	assert_string_equal(buf, "\"a\",,\"12\"");
	free(buf);
}

struct num_case {
	const char *in, *out;
};

static void check_all(const char *what, char *(*fn)(const char *, char *, size_t),
                      const struct num_case *c, size_t n)
{
	char buf[NUMFMT_MAX];

	for (size_t i = 0; i < n; i++) {
		const char *got = fn(c[i].in, buf, sizeof(buf));

		if (!c[i].out) {
			if (got || buf[0])
				fail_msg("%s \"%s\": got \"%s\", want an error", what, c[i].in,
				         buf);
			continue;
		}
		if (!got || strcmp(buf, c[i].out) != 0)
			fail_msg("%s \"%s\": got \"%s\", want \"%s\"", what, c[i].in, buf,
			         c[i].out);
	}
}

static void test_wan(void **state)
{
	static const struct num_case cases[] = {
	    {"7480300.00", "748.03"},
	    {"6480300.00", "648.03"},
	    {"-1000000.00", "-100.00"},
	    {"1000000.00", "100.00"},
	    {"1234.56", "0.12"},
	    {"50.00", "0.01"}, /* 0.005 rounds away from zero */
	    {"49.99", "0.00"},
	    {"-50.00", "-0.01"},
	    {"-49.99", "0.00"}, /* no "-0.00" */
	    {"0", "0.00"},
	    {"0.00", "0.00"},
	    {"99999950.00", "10,000.00"}, /* a carry through every digit */
	    {"99999949.99", "9,999.99"},
	    {"12345678901234.56", "1,234,567,890.12"},
	    {"999999999999999999.99", "100,000,000,000,000.00"},
	    {"5", "0.00"},
	    {"+7480300", "748.03"},
	    {".5", "0.00"},
	    {"", NULL},
	    {"-", NULL},
	    {"1.2.3", NULL},
	    {"1e5", NULL},
	    {" 1", NULL},
	    {"1,000", NULL},
	    {"abc", NULL},
	    {NULL, NULL},
	};
	(void)state;
	check_all("wan", numfmt_wan, cases, N(cases));
}

static void test_group(void **state)
{
	static const struct num_case cases[] = {
	    {"7480300.00", "7,480,300.00"},
	    {"-1000000.00", "-1,000,000.00"},
	    {"0.00", "0.00"},
	    {"-0.00", "0.00"},
	    {"12", "12"},
	    {"123", "123"},
	    {"1234", "1,234"},
	    {"123456", "123,456"},
	    {"1234567", "1,234,567"},
	    {"0012", "12"},
	    {"1.5", "1.5"},
	    {".5", "0.5"},
	    {"x", NULL},
	};
	(void)state;
	check_all("group", numfmt_group, cases, N(cases));
}

static void test_pct(void **state)
{
	static const struct num_case cases[] = {
	    {"0.9861", "98.61"}, {"1.0000", "100.00"}, {"1", "100.00"}, {"12.3456", "1,234.56"},
	    {"0.00005", "0.01"}, {"-0.5", "-50.00"},   {"0", "0.00"},
	};
	(void)state;
	check_all("pct", numfmt_pct, cases, N(cases));
}

static void test_scale_limits(void **state)
{
	char buf[NUMFMT_MAX], small[6];
	char many[NUMFMT_DIGITS + 2];

	(void)state;
	assert_string_equal(numfmt_scale("1234.5", 0, 0, buf, sizeof(buf)), "1,235");
	assert_string_equal(numfmt_scale("1234.4", 0, 0, buf, sizeof(buf)), "1,234");
	assert_string_equal(numfmt_scale("1", 3, 1, buf, sizeof(buf)), "1,000.0");
	/* for CSV: no separators, the sign kept ("-1234.57" stays a number) */
	assert_string_equal(numfmt_wan_plain("-12345678.00", buf, sizeof(buf)), "-1234.57");
	assert_string_equal(numfmt_scale_plain("7480300.00", 0, 2, buf, sizeof(buf)), "7480300.00");
	assert_null(numfmt_scale("1", 13, 0, buf, sizeof(buf)));
	assert_null(numfmt_scale("1", 0, 13, buf, sizeof(buf)));
	/* a buffer too small is an error, never a cut number */
	assert_null(numfmt_wan("7480300.00", small, sizeof(small)));
	assert_string_equal(small, "");
	memset(many, '9', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	assert_null(numfmt_group(many, buf, sizeof(buf)));
	many[sizeof(many) - 2] = '\0'; /* exactly NUMFMT_DIGITS digits */
	assert_non_null(numfmt_wan(many, buf, sizeof(buf)));
}

/* Only a code that is a plain file name gets a sheet: nothing escapes DIR. */
static void test_safe_code(void **state)
{
	static const char *const good[] = {"109001", "A-1_b", "9",
	                                   "123456789012345678901234567890"};
	static const char *const bad[] = {
	    "",
	    "..",
	    "../x",
	    "a/b",
	    "a b",
	    "x.html",
	    "财政局",
	    "\\x",
	    "a\nb",
	    "%2e%2e",
	    "1234567890123456789012345678901234567890123456789012345678901"};

	(void)state;
	for (size_t i = 0; i < N(good); i++)
		if (!pages_safe_code(good[i]))
			fail_msg("\"%s\" refused", good[i]);
	for (size_t i = 0; i < N(bad); i++)
		if (pages_safe_code(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html),      cmocka_unit_test(test_html_n),
	    cmocka_unit_test(test_csv),       cmocka_unit_test(test_csv_separators),
	    cmocka_unit_test(test_wan),       cmocka_unit_test(test_group),
	    cmocka_unit_test(test_pct),       cmocka_unit_test(test_scale_limits),
	    cmocka_unit_test(test_safe_code),
	};

	return cmocka_run_group_tests_name("report_escape", tests, NULL, NULL);
}
