/* Unit tests of etl/textnorm.c: trimming, folding, keys, ordinals, UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "textnorm.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct pair {
	const char *in;
	const char *out;
};

static void test_trim(void **state)
{
	static const struct {
		const char *in;
		const char *out;
		int indent;
	} cases[] = {
	    {"行政运行", "行政运行", 0},
	    {"  行政运行  ", "行政运行", 1},
	    {"　　行政运行", "行政运行", 2},
	    {"　　　行政运行　", "行政运行", 3},
	    {"    行政运行", "行政运行", 2},
	    {"   x", "x", 1},
	    {"　  x", "x", 2},
	    {"\u00a0x\u00a0", "x", 0},
	    {"\t\r\n x \r\n", "x", 0},
	    {"a　b", "a　b", 0},
	    {"", "", 0},
	    {"　　", "", 2},
	    {" ", "", 0},
	};
	char buf[64];
	size_t i;
	int indent;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		indent = -1;
		assert_ptr_equal(text_trim(cases[i].in, buf, sizeof(buf), &indent), buf);
		assert_string_equal(buf, cases[i].out);
		assert_int_equal(indent, cases[i].indent);
	}
	assert_string_equal(text_trim("  a ", buf, sizeof(buf), NULL), "a");
}

static void test_trim_truncates_on_char_boundary(void **state)
{
	char buf[8];

	(void)state;
	/* Each CJK character is 3 bytes: only two fit in 7 bytes + NUL. */
	assert_string_equal(text_trim("  行政运行", buf, sizeof(buf), NULL), "行政");
	assert_string_equal(text_trim("abcdefghij", buf, sizeof(buf), NULL), "abcdefg");
	assert_string_equal(text_trim("x", buf, 1, NULL), "");
	/* size 0: nothing is written and nothing breaks. */
	buf[0] = 'Z';
	text_trim("x", buf, 0, NULL);
	assert_int_equal(buf[0], 'Z');
}

static void test_halfwidth(void **state)
{
	static const struct pair cases[] = {
	    {"２０１０３０１", "2010301"},
	    {"３７，８３８．５７", "37,838.57"},
	    {"－１２", "-12"},
	    {"＋１", "+1"},
	    {"（一）", "(一)"},
	    {"［1］", "[1]"},
	    {"【2010301】行政运行", "[2010301]行政运行"},
	    {"单位：万元", "单位:万元"},
	    {"201　03　01", "201 03 01"},
	    {"ＡＢＣｘｙｚ", "ABCxyz"},
	    {"＞＝９５％", ">=95%"},
	    {"因公出国（境）费", "因公出国(境)费"},
	    {"“三公”", "“三公”"},
	    {"—", "—"},
	    {"≥98%", "≥98%"},
	    {"plain ascii", "plain ascii"},
	    {"", ""},
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		assert_string_equal(text_halfwidth(cases[i].in, buf, sizeof(buf)), cases[i].out);
}

static void test_halfwidth_invalid_bytes_copied(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(text_halfwidth("a\xff\xfe"
	                                   "１",
	                                   buf, sizeof(buf)),
	                    "a\xff\xfe"
	                    "1");
	assert_string_equal(text_halfwidth("\xe4\xb8", buf, sizeof(buf)), "\xe4\xb8");
}

static void test_key(void **state)
{
	static const struct pair cases[] = {
	    {"一般公共预算“三公”经费支出表", "一般公共预算三公经费支出表"},
	    {"一般公共预算\"三公\"经费 支出表", "一般公共预算三公经费支出表"},
	    {"一般公共预算‘三公’经费支出表", "一般公共预算三公经费支出表"},
	    {"因公出国（境）费", "因公出国境费"},
	    {"因公出国(境)费", "因公出国境费"},
	    {"科目编码\n", "科目编码"},
	    {"　科 目　编 码　", "科目编码"},
	    {"《部门收支总表》", "部门收支总表"},
	    {"【项目】「名称」", "项目名称"},
	    {"一、收入；二、支出：合计！？", "一收入二支出合计"},
	    {"机关事业单位·基本养老…", "机关事业单位基本养老"},
	    {"合计—总计", "合计总计"},
	    {"２０２３年", "2023年"},
	    {"a-b_c.d,e", "abcde"},
	    {"公务用车购置及运行费", "公务用车购置及运行费"},
	    {"≥98%", "≥98"},
	    {"〇一二", "〇一二"},
	    {"", ""},
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		assert_string_equal(text_key(cases[i].in, buf, sizeof(buf)), cases[i].out);
}

static void test_strip_ordinal(void **state)
{
	static const struct pair cases[] = {
	    {"一、一般公共预算拨款收入", "一般公共预算拨款收入"},
	    {"（一）工资福利支出", "工资福利支出"},
	    {"(一)工资福利支出", "工资福利支出"},
	    {"(1)工资福利支出", "工资福利支出"},
	    {"（１）工资福利支出", "工资福利支出"},
	    {"1.事业收入", "事业收入"},
	    {"1、事业收入", "事业收入"},
	    {"１．事业收入", "事业收入"},
	    {"12. 其他收入", "其他收入"},
	    {"十二、其他收入", "其他收入"},
	    {"二十一、其他", "其他"},
	    {"  三、 上年结转结余 ", "上年结转结余"},
	    {"①行政运行", "行政运行"},
	    {"一般公共预算拨款收入", "一般公共预算拨款收入"},
	    {"三公经费", "三公经费"},
	    {"1.5万元", "1.5万元"},
	    {"2023年预算", "2023年预算"},
	    {"（境）费", "（境）费"},
	    {"（一）", "（一）"},
	    {"一、", "一、"},
	    {"合计", "合计"},
	    {"", ""},
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		assert_string_equal(text_strip_ordinal(cases[i].in, buf, sizeof(buf)),
		                    cases[i].out);
}

static void test_valid_utf8_ok(void **state)
{
	static const char *const ok[] = {
	    "",
	    "ascii",
	    "行政运行",
	    "\xc2\xa0",
	    "\xe3\x80\x80",
	    "\xf0\x9f\x98\x80",
	    "\xf4\x8f\xbf\xbf", /* U+10FFFF */
	    "\xed\x9f\xbf",     /* U+D7FF */
	    "\xee\x80\x80",     /* U+E000 */
	    "\xef\xbb\xbf",     /* BOM */
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++)
		assert_true(text_valid_utf8(ok[i], strlen(ok[i])));
	assert_true(text_valid_utf8("a\0b", 3)); /* NUL is U+0000 */
	assert_true(text_valid_utf8(NULL, 0));
}

static void test_valid_utf8_bad(void **state)
{
	static const char *const bad[] = {
	    "\x80",             /* lone continuation */
	    "\xc0\xaf",         /* overlong '/' */
	    "\xc1\xbf",         /* overlong */
	    "\xe0\x80\xaf",     /* overlong 3-byte */
	    "\xe0\x9f\xbf",     /* overlong 3-byte upper edge */
	    "\xf0\x8f\xbf\xbf", /* overlong 4-byte */
	    "\xed\xa0\x80",     /* surrogate U+D800 */
	    "\xed\xbf\xbf",     /* surrogate U+DFFF */
	    "\xf4\x90\x80\x80", /* U+110000 */
	    "\xf5\x80\x80\x80", /* lead > F4 */
	    "\xff",
	    "\xfe",
	    "\xe8\xa1",     /* truncated */
	    "\xf0\x9f\x98", /* truncated 4-byte */
	    "\xc3",         /* truncated 2-byte */
	    "a\xe8\xa1"
	    "b",                /* truncated mid-string */
	    "\xd6\xa7\xb3\xf6", /* GB18030 "支出" */
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (text_valid_utf8(bad[i], strlen(bad[i])))
			fail_msg("case %zu accepted", i);
	assert_false(text_valid_utf8(NULL, 1));
	/* Length bounds the check: a sequence cut by len is truncated. */
	assert_false(text_valid_utf8("行", 2));
	assert_true(text_valid_utf8("行\xff", 3));
}

/* Escaped text for one line: controls, invalid bytes, and for paths the backslash. */
static void test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(text_escape_controls("a\nb\tc", out, sizeof(out)), "a\\nb\\tc");
	assert_string_equal(text_escape_controls("\xb1\xed.csv", out, sizeof(out)),
	                    "\\xB1\\xED.csv");
	assert_string_equal(text_escape_invalid("a\nb\xff", out, sizeof(out)), "a\nb\\xFF");
	/* a name that holds a backslash stays apart from one whose byte was escaped */
	assert_string_equal(text_escape_controls("a\\x41", out, sizeof(out)), "a\\x41");
	assert_string_equal(text_escape_path("a\\x41", out, sizeof(out)), "a\\\\x41");
	assert_string_equal(text_escape_path("a\n表", out, sizeof(out)), "a\\n表");
	/* cut on a character boundary, never inside an escape */
	assert_string_equal(text_escape_path("表表表", out, 7), "表表");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trim),
	    cmocka_unit_test(test_trim_truncates_on_char_boundary),
	    cmocka_unit_test(test_halfwidth),
	    cmocka_unit_test(test_halfwidth_invalid_bytes_copied),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_strip_ordinal),
	    cmocka_unit_test(test_valid_utf8_ok),
	    cmocka_unit_test(test_valid_utf8_bad),
	    cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
