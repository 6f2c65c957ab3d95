/* Unit tests of etl/code.c: code layouts read into canonical digits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "code.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct canon_case {
	const char *cell;
	int rc;
	const char *code;
};

static void check_canonical(const struct canon_case *c)
{
	char out[CODE_MAX];
	struct etl_err err;
	int rc;

	etl_err_clear(&err);
	memset(out, 'X', sizeof(out));
	rc = code_canonical(c->cell, out, &err);
	if (rc != c->rc)
		fail_msg("\"%s\": rc %d, want %d", c->cell ? c->cell : "(null)", rc, c->rc);
	assert_string_equal(out, c->code);
	if (rc == -1) {
		assert_string_equal(err.reason, "bad_code");
		assert_non_null(strstr(err.message, c->cell));
	} else {
		assert_string_equal(err.reason, "");
	}
}

static void test_canonical_codes(void **state)
{
	static const struct canon_case cases[] = {
	    {"2010301", 1, "2010301"},
	    {"201", 1, "201"},
	    {"20103", 1, "20103"},
	    {"301", 1, "301"},
	    {"30101", 1, "30101"},
	    {" 2010301 ", 1, "2010301"},
	    {"201 03 01", 1, "2010301"},
	    {"201　03　01", 1, "2010301"},
	    {"２０１０３０１", 1, "2010301"},
	    {"２０１　０３　０１", 1, "2010301"},
	    {"201-03-01", 1, "2010301"},
	    {"201.03.01", 1, "2010301"},
	    {"201  03  01", 1, "2010301"},
	    {"20103 01", 1, "2010301"},
	    {"201 03", 1, "20103"},
	    {"　2010301", 1, "2010301"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		check_canonical(&cases[i]);
}

static void test_canonical_names(void **state)
{
	static const struct canon_case cases[] = {
	    {"行政运行", 0, ""}, {"", 0, ""},         {"　　", 0, ""},
	    {"合计", 0, ""},     {"一、收入", 0, ""}, {"本部门没有政府性基金预算", 0, ""},
	    {"科目编码", 0, ""}, {NULL, 0, ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		check_canonical(&cases[i]);
}

static void test_canonical_malformed(void **state)
{
	static const struct canon_case cases[] = {
	    {"2010", -1, ""},         {"20103011", -1, ""},  {"2O1", -1, ""},
	    {"20l0301", -1, ""},      {"1", -1, ""},         {"12", -1, ""},
	    {"201 3 01", -1, ""},     {"2010 301", -1, ""},  {"201 0301", -1, ""},
	    {"201 03 01 01", -1, ""}, {"201-", -1, ""},      {"-201", -1, ""},
	    {"201,03", -1, ""},       {"2010301.0", -1, ""}, {"2010301 行政运行", -1, ""},
	    {"[2010301]", -1, ""},    {"1 2 3", -1, ""},     {"2023年", -1, ""},
	    {"201a", -1, ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		check_canonical(&cases[i]);
}

static void test_canonical_too_long(void **state)
{
	char cell[1100], out[CODE_MAX];
	struct etl_err err;

	(void)state;
	memset(cell, '1', sizeof(cell) - 1);
	cell[sizeof(cell) - 1] = '\0';
	etl_err_clear(&err);
	assert_int_equal(code_canonical(cell, out, &err), -1);
	assert_string_equal(err.reason, "bad_code");
	assert_int_equal(code_canonical("2O1", out, NULL), -1); /* NULL err tolerated */
}

struct join_case {
	const char *cls, *sec, *item;
	int rc;
	const char *code;
};

static void test_join(void **state)
{
	static const struct join_case cases[] = {
	    {"205", "01", "01", 1, "2050101"},
	    {"205", "", "", 1, "205"},
	    {"205", "01", "", 1, "20501"},
	    {"205", "02", "", 1, "20502"},
	    {"205", "20501", "2050101", 1, "2050101"},
	    {"205", "20501", "", 1, "20501"},
	    {"205", "20501", "01", 1, "2050101"},
	    {"205", "01", "2050101", 1, "2050101"},
	    {"205", "", "2050101", 1, "2050101"},
	    {"301", "01", "", 1, "30101"},
	    {" 205 ", "　01", "01 ", 1, "2050101"},
	    {"２０５", "０１", "０１", 1, "2050101"},
	    {"205", NULL, NULL, 1, "205"},
	    {"", "", "", 0, ""},
	    {" ", "　", "", 0, ""},
	    {NULL, NULL, NULL, 0, ""},
	};
	static const struct join_case bad[] = {
	    {"205", "20601", "", -1, ""},        /* section not under class */
	    {"205", "20501", "2060101", -1, ""}, /* item not under section */
	    {"205", "01", "2050201", -1, ""},
	    {"205", "", "01", -1, ""}, /* item without section */
	    {"", "01", "01", -1, ""},  /* no class */
	    {"", "", "01", -1, ""},
	    {"20", "01", "01", -1, ""},
	    {"2050", "01", "", -1, ""},
	    {"20501", "", "", -1, ""},
	    {"205", "1", "", -1, ""},
	    {"205", "001", "", -1, ""},
	    {"205", "01", "1", -1, ""},
	    {"205", "0a", "", -1, ""},
	    {"2O5", "01", "01", -1, ""},
	    {"205", "01", "205010", -1, ""},
	    {"行政", "", "", -1, ""},
	};
	char out[CODE_MAX];
	struct etl_err err;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		rc = code_join(cases[i].cls, cases[i].sec, cases[i].item, out, NULL, NULL);
		if (rc != cases[i].rc || strcmp(out, cases[i].code) != 0)
			fail_msg("case %zu: rc %d \"%s\", want %d \"%s\"", i, rc, out, cases[i].rc,
			         cases[i].code);
	}
	for (i = 0; i < N(bad); i++) {
		etl_err_clear(&err);
		rc = code_join(bad[i].cls, bad[i].sec, bad[i].item, out, NULL, &err);
		if (rc != -1)
			fail_msg("bad case %zu: rc %d \"%s\"", i, rc, out);
		assert_string_equal(out, "");
		assert_string_equal(err.reason, "bad_code");
	}
}

struct split_case {
	const char *cell;
	int rc;
	const char *code;
	const char *name;
};

static void test_split_cell(void **state)
{
	static const struct split_case cases[] = {
	    {"2010301 行政运行", 1, "2010301", "行政运行"},
	    {"[2010301]行政运行", 1, "2010301", "行政运行"},
	    {"【2010301】行政运行", 1, "2010301", "行政运行"},
	    {"【２０１０３０１】行政运行", 1, "2010301", "行政运行"},
	    {"[ 2010301 ] 行政运行", 1, "2010301", "行政运行"},
	    {"(2010301)行政运行", 1, "2010301", "行政运行"},
	    {"2010301-行政运行", 1, "2010301", "行政运行"},
	    {"2010301　行政运行", 1, "2010301", "行政运行"},
	    {"2010301行政运行", 1, "2010301", "行政运行"},
	    {"2010301：行政运行", 1, "2010301", "行政运行"},
	    {"２０１０３０１ 行政运行", 1, "2010301", "行政运行"},
	    {"201 03 01 行政运行", 1, "2010301", "行政运行"},
	    {"201-03-01-行政运行", 1, "2010301", "行政运行"},
	    {"　　2010301 行政运行　", 1, "2010301", "行政运行"},
	    {"201 一般公共服务支出", 1, "201", "一般公共服务支出"},
	    {"20103 政府办公厅（室）及相关机构事务", 1, "20103", "政府办公厅（室）及相关机构事务"},
	    {"30101 基本工资", 1, "30101", "基本工资"},
	    {"2010301 2号楼维修", 1, "2010301", "2号楼维修"},
	    {"2010301", 1, "2010301", ""},
	    {"201 03 01", 1, "2010301", ""},
	    {"[2010301]", 1, "2010301", ""},
	    {"行政运行", 0, "", "行政运行"},
	    {"　　行政运行", 0, "", "行政运行"},
	    {"合计", 0, "", "合计"},
	    {"一、一般公共预算拨款收入", 0, "", "一、一般公共预算拨款收入"},
	    {"1、事业收入", 0, "", "1、事业收入"},
	    {"1.事业收入", 0, "", "1.事业收入"},
	    {"(1)事业收入", 0, "", "(1)事业收入"},
	    {"[注]说明", 0, "", "[注]说明"},
	    {"", 0, "", ""},
	    {NULL, 0, "", ""},
	};
	char code[CODE_MAX], name[128];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		int rc = code_split_cell(cases[i].cell, code, name, sizeof(name), NULL);
		if (rc != cases[i].rc || strcmp(code, cases[i].code) || strcmp(name, cases[i].name))
			fail_msg("\"%s\": rc %d code \"%s\" name \"%s\"",
			         cases[i].cell ? cases[i].cell : "(null)", rc, code, name);
	}
}

static void test_split_cell_malformed(void **state)
{
	static const char *const bad[] = {
	    "2010 行政运行",     "20103011 行政运行", "2O1 行政运行", "2010301a 行政",
	    "[2010301 行政运行", "2023年度项目",      "1 行政运行",
	};
	char code[CODE_MAX], name[128];
	struct etl_err err;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		int rc;

		etl_err_clear(&err);
		rc = code_split_cell(bad[i], code, name, sizeof(name), &err);
		if (rc != -1)
			fail_msg("\"%s\": rc %d code \"%s\"", bad[i], rc, code);
		assert_string_equal(code, "");
		assert_string_equal(name, bad[i]);
		assert_string_equal(err.reason, "bad_code");
		assert_non_null(strstr(err.message, bad[i]));
	}
}

static void test_split_cell_small_name_buffer(void **state)
{
	char code[CODE_MAX], name[8];

	(void)state;
	assert_int_equal(code_split_cell("2010301 行政运行", code, name, sizeof(name), NULL), 1);
	assert_string_equal(code, "2010301");
	assert_string_equal(name, "行政");
	assert_int_equal(code_split_cell("2010301 行政运行", code, name, 0, NULL), 1);
	assert_string_equal(code, "2010301");
}

static void test_level(void **state)
{
	(void)state;
	assert_int_equal(code_level("201"), 1);
	assert_int_equal(code_level("20103"), 2);
	assert_int_equal(code_level("2010301"), 3);
	assert_int_equal(code_level("301"), 1);
	assert_int_equal(code_level("30101"), 2);
	assert_int_equal(code_level(""), 0);
	assert_int_equal(code_level(NULL), 0);
	assert_int_equal(code_level("2010"), 0);
	assert_int_equal(code_level("20"), 0);
	assert_int_equal(code_level("20103011"), 0);
	assert_int_equal(code_level("20a"), 0);
	assert_int_equal(code_level("201 03"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canonical_codes),
	    cmocka_unit_test(test_canonical_names),
	    cmocka_unit_test(test_canonical_malformed),
	    cmocka_unit_test(test_canonical_too_long),
	    cmocka_unit_test(test_join),
	    cmocka_unit_test(test_split_cell),
	    cmocka_unit_test(test_split_cell_malformed),
	    cmocka_unit_test(test_split_cell_small_name_buffer),
	    cmocka_unit_test(test_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
