/* Unit tests of etl/indicator.c: performance-indicator targets (指标值). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "indicator.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct case_ {
	const char *text;
	const char *op, *value, *unit;
};

static void check_numeric(const struct case_ *cases, size_t n)
{
	struct target t;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&t, 'X', sizeof(t));
		if (!target_parse(cases[i].text, &t))
			fail_msg("\"%s\": not numeric", cases[i].text);
		if (strcmp(t.op, cases[i].op) || strcmp(t.value, cases[i].value) ||
		    strcmp(t.unit, cases[i].unit))
			fail_msg("\"%s\": got \"%s\" \"%s\" \"%s\", want \"%s\" \"%s\" \"%s\"",
			         cases[i].text, t.op, t.value, t.unit, cases[i].op, cases[i].value,
			         cases[i].unit);
	}
}

static void expect_text_only(const char *text)
{
	struct target t;

	memset(&t, 'X', sizeof(t));
	if (target_parse(text, &t))
		fail_msg("\"%s\": parsed as \"%s\" \"%s\" \"%s\"", text ? text : "(null)", t.op,
		         t.value, t.unit);
	assert_string_equal(t.op, "");
	assert_string_equal(t.value, "");
	assert_string_equal(t.unit, "");
}

static void test_header_examples(void **state)
{
	static const struct case_ cases[] = {
	    {"≥98%", "≥", "98", "%"},           {"=53万元", "=", "53", "万元"},
	    {"=57.6万元", "=", "57.6", "万元"}, {"100%", "=", "100", "%"},
	    {"≤5天", "≤", "5", "天"},
	};

	(void)state;
	check_numeric(cases, N(cases));
}

static void test_operator_spellings(void **state)
{
	static const struct case_ cases[] = {
	    {">=95%", "≥", "95", "%"}, {"≧95%", "≥", "95", "%"},    {"⩾95%", "≥", "95", "%"},
	    {"=>95%", "≥", "95", "%"}, {"＞＝95%", "≥", "95", "%"}, {"<=3天", "≤", "3", "天"},
	    {"≦3天", "≤", "3", "天"},  {"⩽3天", "≤", "3", "天"},    {"＜＝3天", "≤", "3", "天"},
	    {"=<3天", "≤", "3", "天"}, {"＝100%", "=", "100", "%"}, {"==100%", "=", "100", "%"},
	    {"＞90", ">", "90", ""},   {">90分", ">", "90", "分"},  {"＜3", "<", "3", ""},
	    {"<3个", "<", "3", "个"},
	};

	(void)state;
	check_numeric(cases, N(cases));
}

static void test_values_and_units(void **state)
{
	static const struct case_ cases[] = {
	    {"=606项", "=", "606", "项"},
	    {"=600㎡", "=", "600", "㎡"},
	    {"≥13人", "≥", "13", "人"},
	    {"≥95%以上", "≥", "95", "%以上"},
	    {"≥ 98 %", "≥", "98", "%"},
	    {"　≥98%　", "≥", "98", "%"},
	    {"≥９８％", "≥", "98", "%"},
	    {"＝５７．６万元", "=", "57.6", "万元"},
	    {"=100.00%", "=", "100.00", "%"},
	    {"=0.5万元", "=", "0.5", "万元"},
	    {"=1,200万元", "=", "1200", "万元"},
	    {"=1,2万元", "=", "1", ",2万元"},
	    {"≤-5%", "≤", "-5", "%"},
	    {"30天以内", "=", "30", "天以内"},
	    {"5", "=", "5", ""},
	    {"=3.5.1", "=", "3.5", ".1"},
	    {"≥95.%", "≥", "95", ".%"},
	};

	(void)state;
	check_numeric(cases, N(cases));
}

static void test_text_only(void **state)
{
	static const char *const texts[] = {
	    "显著提升",  "有所提升", "平稳运行", "",  "　", "≥",       "=",
	    "≥较高水平", "=万元",    "-",        "—", "%",  "提高90%", "≥.5",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(texts); i++)
		expect_text_only(texts[i]);
	expect_text_only(NULL);
}

static void test_long_unit_truncated(void **state)
{
	char text[300];
	struct target t;

	(void)state;
	strcpy(text, "=5");
	while (strlen(text) + 3 < sizeof(text))
		strcat(text, "天");
	assert_true(target_parse(text, &t));
	assert_string_equal(t.value, "5");
	assert_true(strlen(t.unit) < sizeof(t.unit));
	assert_int_equal(strlen(t.unit) % 3, 0); /* cut on a character boundary */
}

static void test_long_value_rejected(void **state)
{
	char text[100];
	struct target t;

	(void)state;
	memset(text, '9', 80);
	text[80] = '\0';
	assert_false(target_parse(text, &t));
	assert_string_equal(t.value, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_examples),     cmocka_unit_test(test_operator_spellings),
	    cmocka_unit_test(test_values_and_units),    cmocka_unit_test(test_text_only),
	    cmocka_unit_test(test_long_unit_truncated), cmocka_unit_test(test_long_value_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
