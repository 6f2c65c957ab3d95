/*
 * Unit tests of etl/classify.c: every rule of classify.h, against a small
 * classification tree written to a temporary folder (under $TMPDIR):
 *
 *   2023  function (incomplete), econ_dept (incomplete), econ_gov
 *   2024  function only, marked complete = true
 *   2019  nothing (no_classification)
 *
 * The 2023 function list carries the name 综合事务 at three levels (类 230,
 * 款 20104, 项 2010304) to show the order in which a codeless name is looked
 * up, and two 项 under 20103 whose names fold to the same key (ambiguous).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "code.h"
#include "textnorm.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char function_2023[] =
    "code,name,level,parent_code\n"
    "201,一般公共服务支出,1,\n"
    "20101,人大事务,2,201\n"
    "2010101,行政运行,3,20101\n"
    "2010102,一般行政管理事务,3,20101\n"
    "20103,政府办公厅（室）及相关机构事务,2,201\n"
    "2010301,行政运行,3,20103\n"
    "2010302,一般行政管理事务,3,20103\n"
    "2010304,综合事务,3,20103\n"
    "2010305,机关服务（一）,3,20103\n"
    "2010306,机关服务(一),3,20103\n"
    "2010399,其他政府办公厅（室）及相关机构事务支出,3,20103\n"
    "20104,综合事务,2,201\n"
    "206,科学技术支出,1,\n"
    "20601,科学技术管理事务,2,206\n"
    "2060101,行政运行,3,20601\n"
    "2060199,其他科学技术管理事务支出,3,20601\n"
    "20699,其他科学技术支出,2,206\n"
    "208,社会保障和就业支出,1,\n"
    "229,其他支出,1,\n"
    "22960,彩票公益金安排的支出,2,229\n"
    "2296011,用于巩固脱贫攻坚成果衔接乡村振兴的彩票公益金支出（一）,3,22960\n"
    "2296012,用于巩固脱贫攻坚成果衔接乡村振兴的彩票公益金支出（二）,3,22960\n"
    "2296013,用于巩固脱贫攻坚成果衔接乡村振兴的彩票公益金支出（三）,3,22960\n"
    "230,综合事务,1,\n";

static const char econ_dept_2023[] = "code,name,level,parent_code\n"
                                     "301,工资福利支出,1,\n"
                                     "30101,基本工资,2,301\n"
                                     "30102,津贴补贴,2,301\n"
                                     "302,商品和服务支出,1,\n"
                                     "30201,办公费,2,302\n";

static const char econ_gov_2023[] = "code,name,level,parent_code\n"
                                    "501,机关工资福利支出,1,\n"
                                    "50101,工资奖金津补贴,2,501\n";

/* ---------------------------------------------------------------- fixture */

struct fx {
	char dir[512];
	struct refdata rd;
};

static void put_file(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");
	struct etl_err err;

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/test_classify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	put_file(fx->dir, "2023/function.csv", function_2023);
	put_file(fx->dir, "2023/function.csv.meta", "complete = false\nsource = test\n");
	put_file(fx->dir, "2023/econ_dept.csv", econ_dept_2023);
	put_file(fx->dir, "2023/econ_dept.csv.meta", "complete = false\n");
	put_file(fx->dir, "2023/econ_gov.csv", econ_gov_2023);
	put_file(fx->dir, "2024/function.csv", function_2023);
	put_file(fx->dir, "2024/function.csv.meta", "# an official edition\ncomplete = true\n");
	etl_err_clear(&err);
	if (refdata_load(&fx->rd, fx->dir, &err) < 0) {
		fprintf(stderr, "refdata_load(%s): %s: %s\n", fx->dir, err.reason, err.message);
		nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	refdata_free(&fx->rd);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static void begin(void **state, struct classify_ctx *c, int kind, int year)
{
	struct fx *fx = *state;
	struct etl_err err;

	etl_err_clear(&err);
	if (classify_begin(c, &fx->rd, kind, year, &err) < 0)
		fail_msg("classify_begin(%d, %d): %s: %s", kind, year, err.reason, err.message);
}

/* A row that must pass: its canonical code and level. */
static void pass(struct classify_ctx *c, const char *code, const char *name, const char *want,
                 int level, struct classify_out *out)
{
	struct etl_err err;

	etl_err_clear(&err);
	if (classify_row(c, code, name, out, &err) != 0)
		fail_msg("row %s %s: rejected %s: %s", code ? code : "", name ? name : "",
		         err.reason, err.message);
	assert_string_equal(out->code, want);
	assert_int_equal(out->level, level);
}

/* A plain row: passes with no note. */
static void plain(struct classify_ctx *c, const char *code, const char *name, const char *want,
                  int level)
{
	struct classify_out out;

	pass(c, code, name, want, level, &out);
	assert_false(out.missing);
	assert_false(out.name_differs);
	assert_string_equal(out.note, "");
}

static void has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* A row that must be rejected with reason; returns the message's copy in msg. */
static void reject(struct classify_ctx *c, const char *code, const char *name, const char *reason,
                   char msg[ETL_ERR_MSG])
{
	struct classify_out out;
	struct etl_err err;

	etl_err_clear(&err);
	if (classify_row(c, code, name, &out, &err) != -1)
		fail_msg("row %s %s: accepted as %s, want %s", code ? code : "", name ? name : "",
		         out.code, reason);
	assert_string_equal(err.reason, reason);
	assert_true(text_valid_utf8(err.message, strlen(err.message)));
	snprintf(msg, ETL_ERR_MSG, "%s", err.message);
}

/* ------------------------------------------------------------------ tests */

/* Every layout extract reads gives the canonical code, which classify keeps. */
static void test_layouts_canonical(void **state)
{
	static const char *const cells[] = {"2010301",    " 2010301 ", "201 03 01",
	                                    "201-03-01",  "201.03.01", "２０１０３０１",
	                                    "201　03　01"};
	static const char *const named[] = {"2010301 行政运行", "[2010301]行政运行",
	                                    "【2010301】行政运行", "2010301-行政运行"};
	struct classify_ctx c;
	char code[CODE_MAX], name[64];
	struct etl_err err;

	for (size_t i = 0; i < N(cells); i++) {
		etl_err_clear(&err);
		assert_int_equal(code_canonical(cells[i], code, &err), 1);
		begin(state, &c, 3, 2023);
		plain(&c, "201", "一般公共服务支出", "201", 1);
		plain(&c, "20103", "政府办公厅（室）及相关机构事务", "20103", 2);
		plain(&c, code, "行政运行", "2010301", 3);
	}
	for (size_t i = 0; i < N(named); i++) {
		etl_err_clear(&err);
		assert_int_equal(code_split_cell(named[i], code, name, sizeof(name), &err), 1);
		assert_string_equal(name, "行政运行");
		begin(state, &c, 3, 2023);
		plain(&c, code, name, "2010301", 3);
	}
	/* split 类 | 款 | 项 columns */
	etl_err_clear(&err);
	assert_int_equal(code_join("201", "03", "01", code, NULL, &err), 1);
	begin(state, &c, 3, 2023);
	plain(&c, code, "行政运行", "2010301", 3);
	/* a code with no enclosing rows at all is fine */
	begin(state, &c, 3, 2023);
	plain(&c, "2060199", "其他科学技术管理事务支出", "2060199", 3);
	plain(&c, "20699", "其他科学技术支出", "20699", 2);
}

/* A printed name other than the list's: kept, name_differs with both names. */
static void test_name_differs(void **state)
{
	struct classify_ctx c;
	struct classify_out out;

	begin(state, &c, 3, 2023);
	pass(&c, "2010301", "行政运行经费", "2010301", 3, &out);
	assert_true(out.name_differs);
	assert_false(out.missing);
	assert_string_equal(out.ref_name, "行政运行");
	has(out.note, "2010301");
	has(out.note, "行政运行经费");
	has(out.note, "“行政运行”");
	/* folding: ASCII parentheses and spaces are the same name */
	pass(&c, "20103", " 政府办公厅(室)及相关机构事务", "20103", 2, &out);
	assert_false(out.name_differs);
	/* no printed name: nothing to compare */
	pass(&c, "2010302", "", "2010302", 3, &out);
	assert_false(out.name_differs);
	assert_string_equal(out.note, "");
}

/* Malformed codes: bad_code naming the code, in both schemes. */
static void test_bad_code(void **state)
{
	static const char *const bad[] = {"2010", "201030", "20103011", "20A", "20103O1", "2"};
	struct classify_ctx c;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 3, 2023);
	for (size_t i = 0; i < N(bad); i++) {
		reject(&c, bad[i], "行政运行", "bad_code", msg);
		has(msg, bad[i]);
		has(msg, "3、5 或 7");
	}
	begin(state, &c, 6, 2023);
	reject(&c, "3010101", "基本工资", "bad_code", msg);
	has(msg, "3010101");
	has(msg, "经济分类科目");
	has(msg, "3 或 5");
}

/* A code whose 类 is not in the list: unknown_code, nearest codes, the hint. */
static void test_unknown_class(void **state)
{
	struct classify_ctx c;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 3, 2023);
	reject(&c, "299", "其他支出", "unknown_code", msg);
	has(msg, "功能分类科目 299 不存在");
	has(msg, "类 299 不在 2023 年科目表中");
	has(msg, "最接近的有效科目：");
	has(msg, "230 综合事务");
	has(msg, "config/classifications/local/");
	/* a 项 under an unknown 类 names the 类 */
	reject(&c, "2999901", "其他支出", "unknown_code", msg);
	has(msg, "2999901");
	has(msg, "类 299");
	/* the same with a complete list */
	begin(state, &c, 3, 2024);
	reject(&c, "299", "其他支出", "unknown_code", msg);
	has(msg, "类 299 不在 2024 年科目表中");
}

/* A 项 whose 款 is missing: unknown_code naming the 款, even when incomplete. */
static void test_unknown_section(void **state)
{
	struct classify_ctx c;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 3, 2023);
	plain(&c, "206", "科学技术支出", "206", 1);
	reject(&c, "2069801", "其他科学技术管理事务支出", "unknown_code", msg);
	has(msg, "功能分类科目 2069801 不存在（款 20698 不在 2023 年科目表中）");
	has(msg, "最接近的有效科目：");
	has(msg, "20699 其他科学技术支出");
	has(msg, "config/classifications/local/");
	/* the table goes on: the next row is classified as usual */
	plain(&c, "20601", "科学技术管理事务", "20601", 2);
}

/* A code that disagrees with the 类 / 款 row above it. */
static void test_parent_mismatch(void **state)
{
	struct classify_ctx c;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 3, 2023);
	plain(&c, "201", "一般公共服务支出", "201", 1);
	reject(&c, "20601", "科学技术管理事务", "code_parent_mismatch", msg);
	has(msg, "20601");
	has(msg, "类级科目 201");
	reject(&c, "2060101", "行政运行", "code_parent_mismatch", msg);
	has(msg, "类级科目 201");
	plain(&c, "20103", "政府办公厅（室）及相关机构事务", "20103", 2);
	reject(&c, "2010101", "行政运行", "code_parent_mismatch", msg);
	has(msg, "2010101");
	has(msg, "款级科目 20103");
	/* a new 款 of the same 类 is fine, and becomes the enclosing 款 */
	plain(&c, "20101", "人大事务", "20101", 2);
	plain(&c, "2010101", "行政运行", "2010101", 3);
	/* a new 类 resets both */
	plain(&c, "206", "科学技术支出", "206", 1);
	plain(&c, "2060101", "行政运行", "2060101", 3);
	reject(&c, "20101", "人大事务", "code_parent_mismatch", msg);
	has(msg, "类级科目 206");
}

/* Well-formed, known parent, not listed: kept when incomplete, rejected when complete. */
static void test_missing_code(void **state)
{
	struct classify_ctx c;
	struct classify_out out;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 3, 2023);
	plain(&c, "201", "一般公共服务支出", "201", 1);
	plain(&c, "20103", "政府办公厅（室）及相关机构事务", "20103", 2);
	pass(&c, "2010350", "事业运行", "2010350", 3, &out);
	assert_true(out.missing);
	assert_false(out.name_differs);
	has(out.note, "2010350");
	has(out.note, "事业运行");
	has(out.note, "不完整");
	has(out.note, "最接近的有效科目：");
	has(out.note, "2010306 机关服务(一)");
	has(out.note, "config/classifications/local/");
	/* a missing 款 under a known 类, and it encloses what follows */
	pass(&c, "20150", "事业运行", "20150", 2, &out);
	assert_true(out.missing);
	/* ... and a 项 under it: the table printed its 款 above it, so it stands
	 * like the 款 (kept, a failed check) */
	pass(&c, "2015001", "行政运行", "2015001", 3, &out);
	assert_true(out.missing);
	has(out.note, "2015001");
	/* a 项 whose 款 the list lacks and the table did not print: rejected */
	reject(&c, "2016001", "行政运行", "unknown_code", msg);
	has(msg, "款 20160");
	/* a 项 of another 款 no longer fits */
	reject(&c, "2010301", "行政运行", "code_parent_mismatch", msg);

	begin(state, &c, 3, 2024); /* complete = true */
	plain(&c, "201", "一般公共服务支出", "201", 1);
	plain(&c, "20103", "政府办公厅（室）及相关机构事务", "20103", 2);
	reject(&c, "2010350", "事业运行", "unknown_code", msg);
	has(msg, "2010350");
	has(msg, "2024");
	has(msg, "config/classifications/local/");
	reject(&c, "20150", "事业运行", "unknown_code", msg);
	plain(&c, "2010301", "行政运行", "2010301", 3);
}

/* Codeless rows: under the enclosing 款, then the 类, then among the 类. */
static void test_names(void **state)
{
	struct classify_ctx c;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 3, 2023);
	plain(&c, NULL, "一般公共服务支出", "201", 1);
	plain(&c, "", "政府办公厅（室）及相关机构事务", "20103", 2);
	plain(&c, "", "一般行政管理事务", "2010302", 3); /* 20101 has one too */
	/* 综合事务 is a 项 of 20103, a 款 of 201 and a 类: the 款 wins */
	plain(&c, "", "综合事务", "2010304", 3);
	/* a 款 name under the enclosing 类 */
	plain(&c, "", "人大事务", "20101", 2);
	plain(&c, "", "行政运行", "2010101", 3);
	plain(&c, "", "一般行政管理事务", "2010102", 3);
	/* the 类 level */
	plain(&c, "", "科学技术支出", "206", 1);
	/* no 款 row yet: a 项 name is not a 款 of 206 */
	reject(&c, "", "行政运行", "unknown_name", msg);
	has(msg, "上级科目 206");
	plain(&c, "", "科学技术管理事务", "20601", 2);
	plain(&c, "", "行政运行", "2060101", 3);
	/* 综合事务 under 206 / 20601: only the 类 remains */
	plain(&c, "", "综合事务", "230", 1);

	/* with only a 类 row above: the 款 of that 类 */
	begin(state, &c, 3, 2023);
	plain(&c, "201", "一般公共服务支出", "201", 1);
	plain(&c, "", "综合事务", "20104", 2);

	/* unknown and ambiguous names */
	begin(state, &c, 3, 2023);
	plain(&c, "201", "一般公共服务支出", "201", 1);
	plain(&c, "20103", "政府办公厅（室）及相关机构事务", "20103", 2);
	reject(&c, "", "不存在的事务", "unknown_name", msg);
	has(msg, "不存在的事务");
	has(msg, "20103");
	has(msg, "2023");
	reject(&c, "", "机关服务（一）", "ambiguous_name", msg);
	has(msg, "机关服务（一）");
	has(msg, "20103");
	/* no enclosing rows: a 项 name is not a 类 */
	begin(state, &c, 3, 2023);
	reject(&c, "", "行政运行", "unknown_name", msg);
	has(msg, "（无）");
	reject(&c, NULL, NULL, "unknown_name", msg);
}

/* Economic scheme (table 6): 类 and 款 only. */
static void test_economic(void **state)
{
	struct classify_ctx c;
	struct classify_out out;
	char msg[ETL_ERR_MSG];

	begin(state, &c, 6, 2023);
	assert_int_equal(c.max_level, 2);
	plain(&c, "301", "工资福利支出", "301", 1);
	plain(&c, "30101", "基本工资", "30101", 2);
	plain(&c, "", "津贴补贴", "30102", 2);
	reject(&c, "30201", "办公费", "code_parent_mismatch", msg);
	has(msg, "经济分类科目 30201");
	pass(&c, "30199", "其他工资福利支出", "30199", 2, &out);
	assert_true(out.missing);
	has(out.note, "经济分类科目 30199");
	reject(&c, "399", "其他支出", "unknown_code", msg);
	has(msg, "经济分类科目 399 不存在（类 399");
	reject(&c, "3010101", "基本工资", "bad_code", msg);
	plain(&c, "", "商品和服务支出", "302", 1);
	plain(&c, "", "办公费", "30201", 2);
	reject(&c, "", "基本工资", "unknown_name", msg);
	has(msg, "302");
	has(msg, "经济分类科目");
}

/* No list for the year (or for the scheme in that year): no_classification. */
static void test_no_classification(void **state)
{
	static const int kinds[] = {2, 3, 5, 6, 8, 10};
	struct fx *fx = *state;
	struct classify_ctx c;
	struct etl_err err;

	etl_err_clear(&err);
	assert_int_equal(classify_begin(&c, &fx->rd, 3, 2019, &err), -1);
	assert_string_equal(err.reason, "no_classification");
	has(err.message, "2019");
	has(err.message, "config/classifications/2019/");
	etl_err_clear(&err);
	assert_int_equal(classify_begin(&c, &fx->rd, 6, 2024, &err), -1);
	assert_string_equal(err.reason, "no_classification");
	has(err.message, "经济分类科目");
	for (size_t i = 0; i < N(kinds); i++) {
		etl_err_clear(&err);
		assert_int_equal(classify_begin(&c, &fx->rd, kinds[i], 2023, &err), 0);
		assert_int_equal(c.max_level, kinds[i] == 6 ? 2 : 3);
	}
}

/* Table 1 / 4 expense lines name a 类, often with an ordinal. */
static void test_class_by_name(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(classify_class_by_name(&fx->rd, 2023, "一、一般公共服务支出"), "201");
	assert_string_equal(classify_class_by_name(&fx->rd, 2023, "科学技术支出"), "206");
	assert_null(classify_class_by_name(&fx->rd, 2023, "人大事务"));
	assert_null(classify_class_by_name(&fx->rd, 2019, "科学技术支出"));
}

/*
 * Messages and notes stay whole UTF-8 however long the printed name: a
 * character cut in half would make PostgreSQL refuse the check and stop
 * the run.
 */
static void test_long_names(void **state)
{
	struct classify_ctx c;
	struct classify_out out;
	char name[2048] = "", msg[ETL_ERR_MSG];

	for (int i = 0; i < 40; i++)
		strcat(name, i % 2 ? "科目名称" : "很长的");
	for (int shift = 0; shift < 3; shift++) {
		char tail[2100];

		/* 0, 1 or 2 ASCII letters first: every cut position of a 3-byte character */
		snprintf(tail, sizeof(tail), "%.*s%s", shift, "ab", name);
		begin(state, &c, 3, 2023);
		plain(&c, "201", "一般公共服务支出", "201", 1);
		plain(&c, "20103", "政府办公厅（室）及相关机构事务", "20103", 2);
		pass(&c, "2010350", tail, "2010350", 3, &out);
		assert_true(out.missing);
		assert_true(text_valid_utf8(out.note, strlen(out.note)));
		has(out.note, "config/classifications/local/");
		pass(&c, "2010301", tail, "2010301", 3, &out);
		assert_true(out.name_differs);
		assert_true(text_valid_utf8(out.note, strlen(out.note)));
		assert_true(text_valid_utf8(out.ref_name, strlen(out.ref_name)));
		reject(&c, "", tail, "unknown_name", msg);
		has(msg, "无法确定编码");
	}
	/* nearest codes with long names: whole entries only */
	begin(state, &c, 3, 2023);
	pass(&c, "2296014", "用于其他社会公益事业的彩票公益金支出", "2296014", 3, &out);
	assert_true(out.missing);
	assert_true(text_valid_utf8(out.note, strlen(out.note)));
	has(out.note, "2296013 用于巩固脱贫攻坚成果衔接乡村振兴的彩票公益金支出（三）");
	has(out.note, "config/classifications/local/");
	begin(state, &c, 3, 2024);
	for (int shift = 0; shift < 3; shift++) {
		char code[8];

		snprintf(code, sizeof(code), "229601%d", 4 + shift);
		reject(&c, code, "用于其他社会公益事业的彩票公益金支出", "unknown_code", msg);
		has(msg, "2296013 用于巩固脱贫攻坚成果衔接乡村振兴的彩票公益金支出（三）");
		has(msg, "config/classifications/local/");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layouts_canonical), cmocka_unit_test(test_name_differs),
	    cmocka_unit_test(test_bad_code),          cmocka_unit_test(test_unknown_class),
	    cmocka_unit_test(test_unknown_section),   cmocka_unit_test(test_parent_mismatch),
	    cmocka_unit_test(test_missing_code),      cmocka_unit_test(test_names),
	    cmocka_unit_test(test_economic),          cmocka_unit_test(test_no_classification),
	    cmocka_unit_test(test_class_by_name),     cmocka_unit_test(test_long_names),
	};

	return cmocka_run_group_tests_name("classify (temporary tree)", tests, setup, teardown);
}
