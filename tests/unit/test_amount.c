/* Unit tests of etl/amount.c: exact money parsing, formatting and units. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct ok_case {
	const char *text;
	enum unit unit;
	int64_t fen;
};

/* Parse text, expecting success and fen; prints the case on failure. */
static void expect_ok(const char *text, enum unit unit, int64_t fen)
{
	struct etl_err err;
	int64_t got = -777;

	etl_err_clear(&err);
	if (amount_parse(text, unit, &got, &err) != 0)
		fail_msg("\"%s\" (%s): unexpected error %s: %s", text ? text : "(null)",
		         unit_name(unit), err.reason, err.message);
	if (got != fen)
		fail_msg("\"%s\" (%s): got %lld, want %lld", text ? text : "(null)",
		         unit_name(unit), (long long)got, (long long)fen);
}

/* Parse text, expecting bad_amount with the text quoted and *fen untouched. */
static void expect_bad(const char *text, enum unit unit)
{
	struct etl_err err;
	int64_t got = 4242;

	etl_err_clear(&err);
	if (amount_parse(text, unit, &got, &err) != -1)
		fail_msg("\"%s\" (%s): accepted as %lld", text, unit_name(unit), (long long)got);
	assert_string_equal(err.reason, "bad_amount");
	assert_int_equal(got, 4242);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "金额"));
}

static void test_parse_plain(void **state)
{
	static const struct ok_case cases[] = {
	    {"748.03", UNIT_WAN, 748030000},
	    {"748.03", UNIT_YUAN, 74803},
	    {"648.03", UNIT_WAN, 648030000},
	    {"0.01", UNIT_YUAN, 1},
	    {"0.01", UNIT_WAN, 10000},
	    {"1", UNIT_YUAN, 100},
	    {"1", UNIT_WAN, 1000000},
	    {"12.5", UNIT_YUAN, 1250},
	    {"5.", UNIT_YUAN, 500},
	    {".5", UNIT_YUAN, 50},
	    {"007", UNIT_YUAN, 700},
	    {"18005.42", UNIT_WAN, 18005420000},
	    {"748.031234", UNIT_WAN, 748031234},
	    {"0.000001", UNIT_WAN, 1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		expect_ok(cases[i].text, cases[i].unit, cases[i].fen);
}

static void test_parse_grouped(void **state)
{
	static const struct ok_case cases[] = {
	    {"37,838,524.57", UNIT_YUAN, 3783852457},
	    {"37,833,100.00", UNIT_YUAN, 3783310000},
	    {"1,000", UNIT_YUAN, 100000},
	    {"999", UNIT_YUAN, 99900},
	    {"12,345.6", UNIT_WAN, 12345600000},
	    {"1,234,567", UNIT_WAN, 1234567000000},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		expect_ok(cases[i].text, cases[i].unit, cases[i].fen);
}

static void test_parse_fullwidth(void **state)
{
	static const struct ok_case cases[] = {
	    {"７４８．０３", UNIT_WAN, 748030000},
	    {"３７，８３８，５２４．５７", UNIT_YUAN, 3783852457},
	    {"　748.03　", UNIT_WAN, 748030000},
	    {"\u00a0 12.50 \t", UNIT_YUAN, 1250},
	    {"（12.50）", UNIT_YUAN, -1250},
	    {"－12.50", UNIT_YUAN, -1250},
	    {"＋12.50", UNIT_YUAN, 1250},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		expect_ok(cases[i].text, cases[i].unit, cases[i].fen);
}

static void test_parse_sign(void **state)
{
	static const struct ok_case cases[] = {
	    {"-1234.5", UNIT_YUAN, -123450},
	    {"+1234.5", UNIT_YUAN, 123450},
	    {"(12.50)", UNIT_YUAN, -1250},
	    {"( 12.50 )", UNIT_YUAN, -1250},
	    {"(1,234.50)", UNIT_WAN, -1234500000},
	    {"-0.01", UNIT_WAN, -10000},
	    {"-0", UNIT_YUAN, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		expect_ok(cases[i].text, cases[i].unit, cases[i].fen);
}

static void test_parse_zero_spellings(void **state)
{
	static const char *const zeros[] = {
	    "", "-", "—", "–", "－", "0", "0.00", "  ", "　", " - ", "——", "--", "0.000000",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(zeros); i++) {
		expect_ok(zeros[i], UNIT_YUAN, 0);
		expect_ok(zeros[i], UNIT_WAN, 0);
	}
	expect_ok(NULL, UNIT_YUAN, 0);
}

static void test_parse_decimals(void **state)
{
	(void)state;
	/* Trailing zeros beyond the unit's precision are exact. */
	expect_ok("1.2300", UNIT_YUAN, 123);
	expect_ok("1.230000000", UNIT_WAN, 1230000);
	expect_ok("7.1234560", UNIT_WAN, 7123456);
	/* Non-zero digits beyond fen are an error, never a rounding. */
	expect_bad("1.234", UNIT_YUAN);
	expect_bad("1.2301", UNIT_YUAN);
	expect_bad("0.001", UNIT_YUAN);
	expect_bad("748.0312345", UNIT_WAN);
	expect_bad("0.0000001", UNIT_WAN);
}

static void test_parse_bounds(void **state)
{
	(void)state;
	/* issue 14: the range of numeric(18,2), |amount| < 10^16 yuan */
	expect_ok("9999999999999999.99", UNIT_YUAN, AMOUNT_MAX_FEN);
	expect_ok("-9999999999999999.99", UNIT_YUAN, -AMOUNT_MAX_FEN);
	expect_ok("999999999999.999999", UNIT_WAN, AMOUNT_MAX_FEN);
	expect_bad("10000000000000000", UNIT_YUAN);
	expect_bad("-10000000000000000.00", UNIT_YUAN);
	expect_bad("1000000000000", UNIT_WAN);
	expect_bad("92233720368547758.07", UNIT_YUAN);
	expect_bad("-92233720368547758.08", UNIT_YUAN);
	expect_bad("9223372036854.775807", UNIT_WAN);
	expect_bad("99999999999999999999999999", UNIT_YUAN);
	expect_bad("100000000000000000000", UNIT_YUAN);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
	    "abc",    "12a",       "1.2.3",  "1,5", "12,34", "1,2345",  ",123",   "123,",
	    "1,,234", "1 234",     "1e5",    "--5", "+-5",   "- 5",     "(12.50", "12.50)",
	    "(-12)",  "-(12)",     "(  )",   ".",   "+",     "12元",    "¥12",    "12%",
	    "0x10",   "1,234.5,6", "１２ａ", "NaN", "inf",   "1.2,345", "—5",     "1.-2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		expect_bad(bad[i], UNIT_YUAN);
		expect_bad(bad[i], UNIT_WAN);
	}
}

static void test_parse_unit_none(void **state)
{
	(void)state;
	expect_bad("12.50", UNIT_NONE);
	expect_bad("", UNIT_NONE);
}

static void test_parse_long_and_null_err(void **state)
{
	char longtext[400];
	int64_t fen = 1;

	(void)state;
	memset(longtext, '1', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	expect_bad(longtext, UNIT_YUAN);
	/* A NULL err is tolerated. */
	assert_int_equal(amount_parse("x", UNIT_YUAN, &fen, NULL), -1);
	assert_int_equal(fen, 1);
	assert_int_equal(amount_parse("2", UNIT_YUAN, &fen, NULL), 0);
	assert_int_equal(fen, 200);
}

static void test_error_quotes_text(void **state)
{
	struct etl_err err;
	int64_t fen;

	(void)state;
	etl_err_clear(&err);
	assert_int_equal(amount_parse("12.5万", UNIT_YUAN, &fen, &err), -1);
	assert_non_null(strstr(err.message, "12.5万"));
	etl_err_clear(&err);
	assert_int_equal(amount_parse("1.234", UNIT_YUAN, &fen, &err), -1);
	assert_non_null(strstr(err.message, "1.234"));
	assert_non_null(strstr(err.message, "小数"));
	etl_err_clear(&err);
	assert_int_equal(amount_parse("1e99", UNIT_WAN, &fen, &err), -1);
	assert_non_null(strstr(err.message, "1e99"));
}

static void test_is_blank(void **state)
{
	static const char *const blank[] = {
	    "",   " ", "　",   "-",      "—",        "–",  "－",
	    "——", "0", "0.00", " 0.00 ", "０．００", "-0", "(0)",
	};
	static const char *const not_blank[] = {"0.01", "1", "abc", "- 1", "合计", "-1", "x0"};
	size_t i;

	(void)state;
	assert_true(amount_is_blank(NULL));
	for (i = 0; i < N(blank); i++)
		if (!amount_is_blank(blank[i]))
			fail_msg("\"%s\" should be blank", blank[i]);
	for (i = 0; i < N(not_blank); i++)
		if (amount_is_blank(not_blank[i]))
			fail_msg("\"%s\" should not be blank", not_blank[i]);
}

static void test_looks_numeric(void **state)
{
	static const char *const yes[] = {
	    "748.03", "37,838,524.57", "７４８．０３", "(12.50)", "-1", "+1", "0.001", " 12 ",
	};
	static const char *const no[] = {
	    "", "-", "—", "0", "0.00", "科目编码", "合计", "1,5", "12%", "2023年", "1.2.3",
	};
	size_t i;

	(void)state;
	assert_false(amount_looks_numeric(NULL));
	for (i = 0; i < N(yes); i++)
		if (!amount_looks_numeric(yes[i]))
			fail_msg("\"%s\" should look numeric", yes[i]);
	for (i = 0; i < N(no); i++)
		if (amount_looks_numeric(no[i]))
			fail_msg("\"%s\" should not look numeric", no[i]);
}

static void test_format(void **state)
{
	static const struct {
		int64_t fen;
		const char *text;
	} cases[] = {
	    {0, "0.00"},
	    {1, "0.01"},
	    {-1, "-0.01"},
	    {10, "0.10"},
	    {-123450, "-1234.50"},
	    {748030000, "7480300.00"},
	    {3783852457, "37838524.57"},
	    {INT64_MAX, "92233720368547758.07"},
	    {INT64_MIN, "-92233720368547758.08"},
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		assert_string_equal(amount_format(cases[i].fen, buf, sizeof(buf)), cases[i].text);
	/* Truncation still terminates. */
	assert_string_equal(amount_format(123450, buf, 4), "123");
}

static void test_round_trip(void **state)
{
	static const char *const texts[] = {"0.01", "-1234.50", "37838524.57", "7480300.00"};
	char buf[32];
	int64_t fen;
	size_t i;

	(void)state;
	for (i = 0; i < N(texts); i++) {
		assert_int_equal(amount_parse(texts[i], UNIT_YUAN, &fen, NULL), 0);
		assert_string_equal(amount_format(fen, buf, sizeof(buf)), texts[i]);
	}
}

/* Property: parse(format(fen)) == fen, and in 万元 the value scaled by 10^4. */
static void test_round_trip_random(void **state)
{
	uint64_t x = 0x9E3779B97F4A7C15u;
	char buf[32];
	int64_t fen, back;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		fen = (int64_t)(x >> (i % 60)) % (AMOUNT_MAX_FEN + 1);
		if (i % 2)
			fen = -fen;
		amount_format(fen, buf, sizeof(buf));
		if (amount_parse(buf, UNIT_YUAN, &back, NULL) != 0 || back != fen)
			fail_msg("round trip of %lld via \"%s\"", (long long)fen, buf);
		if (fen % 10000 == 0 || fen > INT64_MAX / 100 || fen < INT64_MIN / 100)
			continue;
		/* fen/100 yuan = fen/10^6 万元: move the point four places left. */
		snprintf(buf, sizeof(buf), "%s%lld.%06lld", fen < 0 ? "-" : "",
		         llabs(fen) / 1000000, llabs(fen) % 1000000);
		if (amount_parse(buf, UNIT_WAN, &back, NULL) != 0 || back != fen)
			fail_msg("wan parse of \"%s\" gave %lld, want %lld", buf, (long long)back,
			         (long long)fen);
	}
}

static void test_unit_from_cell(void **state)
{
	static const struct {
		const char *text;
		enum unit unit;
	} cases[] = {
	    {"单位：万元", UNIT_WAN},
	    {"单位:元", UNIT_YUAN},
	    {"单位： 万元", UNIT_WAN},
	    {"单位 : 元", UNIT_YUAN},
	    {"金额单位：万元", UNIT_WAN},
	    {"计量单位：元", UNIT_YUAN},
	    {"（单位：万元）", UNIT_WAN},
	    {"(单位:元)", UNIT_YUAN},
	    {"万元", UNIT_WAN},
	    {"元", UNIT_YUAN},
	    {" 　万元　", UNIT_WAN},
	    {"单位：人民币元", UNIT_YUAN},
	    {"单位：人民币万元", UNIT_WAN},
	    {"部门：某某局", UNIT_NONE},
	    {"单位名称：XX局", UNIT_NONE},
	    {"单位：南昌市西湖区政务服务数据管理局", UNIT_NONE},
	    {"编制单位：南昌市西湖区教育体育局", UNIT_NONE},
	    {"单位：", UNIT_NONE},
	    {"单位万元", UNIT_NONE},
	    {"单位：千元", UNIT_NONE},
	    {"单位：万元（保留两位小数）", UNIT_NONE},
	    {"美元", UNIT_NONE},
	    {"", UNIT_NONE},
	    {"2023年部门支出总表", UNIT_NONE},
	};
	size_t i;

	(void)state;
	assert_int_equal(unit_from_cell(NULL), UNIT_NONE);
	for (i = 0; i < N(cases); i++)
		if (unit_from_cell(cases[i].text) != cases[i].unit)
			fail_msg("\"%s\": got %s, want %s", cases[i].text,
			         unit_name(unit_from_cell(cases[i].text)),
			         unit_name(cases[i].unit));
}

static void test_unit_name(void **state)
{
	(void)state;
	assert_string_equal(unit_name(UNIT_YUAN), "yuan");
	assert_string_equal(unit_name(UNIT_WAN), "wan");
	assert_string_equal(unit_name(UNIT_NONE), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_plain),
	    cmocka_unit_test(test_parse_grouped),
	    cmocka_unit_test(test_parse_fullwidth),
	    cmocka_unit_test(test_parse_sign),
	    cmocka_unit_test(test_parse_zero_spellings),
	    cmocka_unit_test(test_parse_decimals),
	    cmocka_unit_test(test_parse_bounds),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_parse_unit_none),
	    cmocka_unit_test(test_parse_long_and_null_err),
	    cmocka_unit_test(test_error_quotes_text),
	    cmocka_unit_test(test_is_blank),
	    cmocka_unit_test(test_looks_numeric),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_round_trip_random),
	    cmocka_unit_test(test_unit_from_cell),
	    cmocka_unit_test(test_unit_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
