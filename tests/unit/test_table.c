/*
 * Unit tests of etl/table.c (with etl/wording.c and the config/wording/ files):
 * recognising a table from the records of one file, and the stream it
 * writes (etl/stream.h).  Tests run from the repository root, so the wording
 * is the project's own config/.
 *
 * Each case is a CSV text as departments export it, fed through csvread into
 * a table writing to a memory stream, as the file <2023>/<109001>/t.csv.
 * Every case also checks the row accounting of the E record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "table.h"
#include "wording.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct wording w;

static int load_wording(void **state)
{
	struct etl_err err;

	(void)state;
	etl_err_clear(&err);
	if (wording_load(&w, "config", &err) < 0) {
		fprintf(stderr, "config/wording: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int free_wording(void **state)
{
	(void)state;
	wording_free(&w);
	return 0;
}

/* ---- running a table ------------------------------------------------------------ */

static int on_record(void *ctx, const struct csv_record *rec)
{
	return table_record(ctx, rec);
}

/* The stream a table writes for csv in <year>/<dept>/t.csv; the caller frees. */
static char *run_as(const char *csv, int folder_year, const char *folder_dept, int needs_proof)
{
	struct file_info fi = {.path = "t.csv",
	                       .sha256 = "0",
	                       .bytes = (long long)strlen(csv),
	                       .encoding = needs_proof ? "gb18030" : "utf-8",
	                       .compression = "none",
	                       .folder_year = folder_year,
	                       .encoding_needs_proof = needs_proof};
	struct table t;
	struct csvread r;
	struct etl_err err;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	snprintf(fi.folder_dept, sizeof(fi.folder_dept), "%s", folder_dept);
	etl_err_clear(&err);
	table_init(&t, &w, fp, &fi, NULL, NULL);
	assert_int_equal(csvread_init(&r, ',', on_record, &t, &err), 0);
	if (csvread_feed(&r, csv, strlen(csv)) < 0 || csvread_finish(&r) < 0)
		table_reject_file(&t, &err);
	csvread_free(&r);
	table_finish(&t);
	table_free(&t);
	fclose(fp);
	return out;
}

static char *run(const char *csv)
{
	return run_as(csv, 2023, "109001", 0);
}

/* Field i (0: the tag) of a stream line, unescaping nothing. */
static const char *field_of(const char *line, int i, char *buf, size_t size)
{
	const char *end;

	for (; i > 0 && line; i--) {
		line = strchr(line, '\t');
		line = line ? line + 1 : NULL;
	}
	if (!line)
		return NULL;
	end = line + strcspn(line, "\t\n");
	snprintf(buf, size, "%.*s", (int)(end - line), line);
	return buf;
}

/* The n-th (from 0) line of out starting with tag, or NULL. */
static const char *nth_line(const char *out, char tag, int n)
{
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (p[0] == tag && p[1] == '\t' && n-- == 0)
			return p;
	return NULL;
}

static int count_lines(const char *out, char tag)
{
	int n = 0;

	while (nth_line(out, tag, n))
		n++;
	return n;
}

/*
 * The E record: records == meta + facts + subtotals + rejected, and a file
 * not rejected whole has one J per rejected record.  Returns the status.
 */
static const char *expect_accounting(const char *out, char *status, size_t size)
{
	const char *e = nth_line(out, 'E', 0);
	char b[32];
	long v[5];

	if (!e || nth_line(out, 'E', 1) || count_lines(out, 'F') != 1)
		fail_msg("want one F and one E:\n%s", out);
	for (int i = 0; i < 5; i++)
		v[i] = atol(field_of(e, i + 1, b, sizeof(b)));
	if (v[0] != v[1] + v[2] + v[3] + v[4])
		fail_msg("records %ld != meta %ld + facts %ld + subtotals %ld + rejected %ld:\n%s",
		         v[0], v[1], v[2], v[3], v[4], out);
	field_of(e, 6, status, size);
	if (strcmp(status, "ok") == 0 && count_lines(out, 'J') != v[4])
		fail_msg("%d J records for %ld rejected:\n%s", count_lines(out, 'J'), v[4], out);
	return status;
}

/* Field i of the F record (0: path, see enum f_field). */
static const char *f_field(const char *out, int i, char *buf, size_t size)
{
	const char *f = nth_line(out, 'F', 0);

	assert_non_null(f);
	return field_of(f, i + 1, buf, size);
}

/* The file was read whole: status ok, the kind, unit and accounting as given. */
static void expect_ok(const char *out, int kind, const char *unit)
{
	char b[512];

	if (strcmp(expect_accounting(out, b, sizeof(b)), "ok") != 0 || count_lines(out, 'J'))
		fail_msg("want status ok:\n%s", out);
	if (atoi(f_field(out, F_KIND, b, sizeof(b))) != kind)
		fail_msg("kind %s, want %d:\n%s", b, kind, out);
	if (strcmp(f_field(out, F_UNIT, b, sizeof(b)), unit) != 0)
		fail_msg("unit %s, want %s:\n%s", b, unit, out);
}

/* Does out hold this exact line ('|' standing for TAB)? */
static void expect_line(const char *out, const char *want)
{
	char line[2048], *p;

	snprintf(line, sizeof(line), "%s\n", want);
	for (p = line; *p; p++)
		if (*p == '|')
			*p = '\t';
	for (const char *q = out; (q = strstr(q, line)); q++)
		if (q == out || q[-1] == '\n')
			return;
	fail_msg("no line\n  %s\nin\n%s", want, out);
}

/* The file was rejected whole with reason, and the message contains each needle. */
static void expect_rejected(const char *out, const char *reason, const char *needle1,
                            const char *needle2)
{
	char b[1024];
	const char *j = nth_line(out, 'J', 0);

	if (strcmp(expect_accounting(out, b, sizeof(b)), "rejected") != 0 || !j)
		fail_msg("want the file rejected with %s:\n%s", reason, out);
	if (strcmp(field_of(j, 1 + J_REASON, b, sizeof(b)), reason) != 0)
		fail_msg("reason %s, want %s:\n%s", b, reason, out);
	field_of(j, 1 + J_MESSAGE, b, sizeof(b));
	if ((needle1 && !strstr(b, needle1)) || (needle2 && !strstr(b, needle2)))
		fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", b, needle1 ? needle1 : "",
		         needle2 ? needle2 : "");
}

/* ---- titles ------------------------------------------------------------------- */

struct title_case {
	const char *cell;
	int kind, year;
	enum stage stage;
};

static void check_titles(const struct title_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct title_info ti = wording_title(&w, cases[i].cell);

		if (ti.kind != cases[i].kind || ti.year != cases[i].year ||
		    ti.stage != cases[i].stage)
			fail_msg("\"%s\": kind %d year %d stage %s, want %d %d %s", cases[i].cell,
			         ti.kind, ti.year, stage_name(ti.stage), cases[i].kind,
			         cases[i].year, stage_name(cases[i].stage));
	}
}

static void test_titles_of_the_ten_kinds(void **state)
{
	static const struct title_case cases[] = {
	    {"2023年部门收支总表", 1, 2023, STAGE_BUDGET},
	    {"2023年部门收入总表", 2, 2023, STAGE_BUDGET},
	    {"2023年部门支出总表", 3, 2023, STAGE_BUDGET},
	    {"2023年财政拨款收支总表", 4, 2023, STAGE_BUDGET},
	    {"2023年一般公共预算支出表", 5, 2023, STAGE_BUDGET},
	    {"2023年一般公共预算基本支出表", 6, 2023, STAGE_BUDGET},
	    {"2023年一般公共预算“三公”经费支出表", 7, 2023, STAGE_BUDGET},
	    {"2023年政府性基金预算支出表", 8, 2023, STAGE_BUDGET},
	    {"2023年项目支出绩效目标表", 9, 2023, STAGE_BUDGET},
	    {"2023年国有资本经营预算支出表", 10, 2023, STAGE_BUDGET},
	};

	(void)state;
	check_titles(cases, N(cases));
}

/* Shanghai's district wording (SUBMISSIONS.md) and other provinces'. */
static void test_titles_of_province_variants(void **state)
{
	static const struct title_case cases[] = {
	    {"2023年部门财务收支预算总表", 1, 2023, STAGE_BUDGET},
	    {"2025年部门收入预算总表", 2, 2025, STAGE_BUDGET},
	    {"2023年部门一般公共预算支出功能分类预算表", 5, 2023, STAGE_BUDGET},
	    {"2023年部门一般公共预算基本支出部门预算经济分类预算表", 6, 2023, STAGE_BUDGET},
	    {"2023年部门“三公”经费和机关运行经费预算表", 7, 2023, STAGE_BUDGET},
	    {"2024年部门支出预算总表", 3, 2024, STAGE_BUDGET},
	    {"2024年财政拨款收支预算总表", 4, 2024, STAGE_BUDGET},
	    {"2024年一般公共预算财政拨款基本支出表", 6, 2024, STAGE_BUDGET},
	    {"2023年部门综合预算收支总表", 1, 2023, STAGE_BUDGET},
	    {"2023年部门综合预算收入总表", 2, 2023, STAGE_BUDGET},
	    {"2023年部门综合预算支出总表", 3, 2023, STAGE_BUDGET},
	    {"2023年部门综合预算财政拨款收支总表", 4, 2023, STAGE_BUDGET},
	};

	(void)state;
	check_titles(cases, N(cases));
}

/* What surrounds the title in a cell: 表N, 附表N-, 年度, spaces, full-width digits, quotes. */
static void test_title_spellings(void **state)
{
	static const struct title_case cases[] = {
	    {"表1 2023年部门收支总表", 1, 2023, STAGE_BUDGET},
	    {"附表3-2023年部门支出总表", 3, 2023, STAGE_BUDGET},
	    {"2023年度部门支出总表", 3, 2023, STAGE_BUDGET},
	    {"2023 年部门支出总表", 3, 2023, STAGE_BUDGET},
	    {"２０２３年部门支出总表", 3, 2023, STAGE_BUDGET},
	    {"  2023年 部门 支出 总表  ", 3, 2023, STAGE_BUDGET},
	    {"2023年一般公共预算\"三公\"经费支出表", 7, 2023, STAGE_BUDGET},
	    {"南昌市西湖区政务服务数据管理局2023年部门支出总表", 3, 2023, STAGE_BUDGET},
	    {"部门支出总表", 3, 0, STAGE_BUDGET},
	};

	(void)state;
	check_titles(cases, N(cases));
}

static void test_title_stage_words(void **state)
{
	static const struct title_case cases[] = {
	    {"2023年部门决算收入支出总表", 1, 2023, STAGE_FINAL},
	    {"2023年部门决算支出总表", 3, 2023, STAGE_FINAL},
	    {"2023年部门支出总表（调整预算）", 3, 2023, STAGE_ADJUSTMENT},
	    {"2023年部门调整预算收支总表", 1, 2023, STAGE_ADJUSTMENT},
	};

	(void)state;
	check_titles(cases, N(cases));
}

static void test_not_titles(void **state)
{
	static const struct title_case cases[] = {
	    {"部门：南昌市西湖区政务服务数据管理局", 0, 0, STAGE_BUDGET},
	    {"单位：万元", 0, 0, STAGE_BUDGET},
	    {"表1", 0, 0, STAGE_BUDGET},
	    {"科目编码", 0, 0, STAGE_BUDGET},
	    {"2023年", 0, 2023, STAGE_BUDGET},
	};

	(void)state;
	check_titles(cases, N(cases));
}

/* ---- the seed layout (../examples/2023/109001) -------------------------------------------- */

static void test_seed_expenditure_table(void **state)
{
	char *out = run("表3,,,,\n"
	                "2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                ",合计,648.03,417.43,230.60\n"
	                "201,一般公共服务支出,555.28,382.28,173.00\n"
	                "2010301,行政运行,382.28,382.28,\n");
	char b[512];

	(void)state;
	expect_ok(out, 3, "wan");
	assert_string_equal(f_field(out, F_YEAR, b, sizeof(b)), "2023");
	assert_string_equal(f_field(out, F_DEPT, b, sizeof(b)), "109001");
	assert_string_equal(f_field(out, F_STAGE, b, sizeof(b)), "budget");
	assert_string_equal(f_field(out, F_DEPT_NAME, b, sizeof(b)),
	                    "南昌市西湖区政务服务数据管理局");
	expect_line(out, "R|5|total||合计|total=6480300.00|basic=4174300.00|project=2306000.00");
	expect_line(
	    out,
	    "R|6|row|201|一般公共服务支出|total=5552800.00|basic=3822800.00|project=1730000.00");
	expect_line(out, "R|7|row|2010301|行政运行|total=3822800.00|basic=3822800.00|project=");
	expect_line(out, "E|7|4|3|0|0|ok|5000");
	free(out);
}

/* Table 1: the two sides of one line are two R records, one fact. */
static void test_two_sided_table_one_header_row(void **state)
{
	char *out = run("2023年部门收支总表,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,单位：万元\n"
	                "项目,预算数,项目,预算数\n"
	                "一、一般公共预算拨款收入,648.03,一、一般公共服务支出,555.28\n"
	                "收入总计,648.03,支出总计,648.03\n");

	(void)state;
	expect_ok(out, 1, "wan");
	expect_line(out, "R|4|income|general_budget|一、一般公共预算拨款收入|amount=6480300.00");
	expect_line(out, "R|4|expense||一、一般公共服务支出|amount=5552800.00");
	expect_line(out, "R|5|income|income_total|收入总计|amount=6480300.00");
	expect_line(out, "E|5|3|2|0|0|ok|5000");
	free(out);
}

/* ---- Shanghai's layouts: province titles, 单位:元, three header rows ------------------ */

static void test_shanghai_financial_summary(void **state)
{
	char *out = run("2023年部门财务收支预算总表,,,\n"
	                "编制单位：上海市黄浦区某某局,,,单位:元\n"
	                "收入,,支出,\n"
	                "项目,预算数,项目,预算数\n"
	                "一、财政拨款收入,\"1,000.00\",一、一般公共服务支出,\"1,000.00\"\n");

	(void)state;
	expect_ok(out, 1, "yuan");
	expect_line(out, "R|5|income|fiscal_appropriation|一、财政拨款收入|amount=1000.00");
	free(out);
}

/* A 2025 title, so run as the 2025 folder. */
static void test_shanghai_revenue_three_header_rows(void **state)
{
	char *out = run_as("2025年部门收入预算总表,,,,,,\n"
	                   "编制单位：上海市黄浦区某某局,,,,,,单位:元\n"
	                   "科目编码,科目名称,合计,本年收入,,,上年结转结余\n"
	                   ",,,小计,财政拨款收入,,\n"
	                   ",,,,一般公共预算,政府性基金预算,\n"
	                   ",合计,10.00,9.00,8.00,1.00,1.00\n",
	                   2025, "109001", 0);

	(void)state;
	expect_ok(out, 2, "yuan");
	expect_line(out, "R|6|total||合计|total=10.00|income_subtotal=9.00|general_budget=8.00|"
	                 "gov_fund=1.00|carryover=1.00");
	expect_line(out, "E|6|5|1|0|0|ok|0");
	free(out);
}

static void test_shanghai_function_table_three_header_rows(void **state)
{
	char *out = run("2023年部门一般公共预算支出功能分类预算表,,,,,\n"
	                "编制单位：上海市黄浦区某某局,,,,,单位:元\n"
	                "功能分类科目,,,,,\n"
	                "科目编码,科目名称,合计,基本支出,,项目支出\n"
	                ",,,人员支出,公用支出,\n"
	                "2010301,行政运行,\"1,500.00\",\"1,000.00\",300.00,200.00\n");

	(void)state;
	expect_ok(out, 5, "yuan");
	expect_line(out, "R|6|row|2010301|行政运行|total=1500.00|personnel=1000.00|public=300.00|"
	                 "project=200.00");
	free(out);
}

static void test_shanghai_economic_table(void **state)
{
	char *out = run("2023年部门一般公共预算基本支出部门预算经济分类预算表,,,,\n"
	                "编制单位：上海市黄浦区某某局,,,,单位:元\n"
	                "部门预算支出经济分类科目,,合计,人员支出,公用支出\n"
	                "科目编码,科目名称,,,\n"
	                "30101,基本工资,100.00,100.00,\n");

	(void)state;
	expect_ok(out, 6, "yuan");
	expect_line(out, "R|5|row|30101|基本工资|total=100.00|personnel=100.00|public=");
	free(out);
}

/* Table 7 with its columns in another order, and 机关运行经费. */
static void test_three_public_reordered_with_admin_operating(void **state)
{
	char *out = run("2023年部门“三公”经费和机关运行经费预算表,,,,,,\n"
	                "编制单位：上海市黄浦区某某局,,,,,,单位:元\n"
	                "因公出国（境）费,公务接待费,公务用车购置及运行费,,,“三公”经费合计,"
	                "机关运行经费\n"
	                ",,小计,购置费,运行费,,\n"
	                "1.00,2.00,7.00,3.00,4.00,10.00,\"123,456.00\"\n");

	(void)state;
	expect_ok(out, 7, "yuan");
	expect_line(out, "R|5|three_public|||outbound_travel=1.00|official_reception=2.00|"
	                 "vehicle_total=7.00|vehicle_purchase=3.00|vehicle_operation=4.00|"
	                 "total=10.00|admin_operating=123456.00");
	free(out);
}

static void test_three_public_usual_layout(void **state)
{
	char *out = run("2023年一般公共预算“三公”经费支出表,,,,,\n"
	                "编制单位：南昌市西湖区教育体育局,,,,,单位：元\n"
	                "合计,因公出国（境）费,公务用车购置及运行费,,,公务接待费\n"
	                ",,小计,公务用车购置费,公务用车运行费,\n"
	                "\"419,800.00\",-,\"419,800.00\",-,\"419,800.00\",-\n");

	(void)state;
	expect_ok(out, 7, "yuan");
	expect_line(out, "R|5|three_public|||total=419800.00|outbound_travel=0.00|"
	                 "vehicle_total=419800.00|vehicle_purchase=0.00|"
	                 "vehicle_operation=419800.00|official_reception=0.00");
	free(out);
}

/* The seed's table 7 has an empty data row: all zero, no fact. */
static void test_three_public_empty_row_is_all_zero(void **state)
{
	char *out = run("2023年一般公共预算“三公”经费支出表,,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,,单位：万元\n"
	                "合计,因公出国（境）费,公务用车购置及运行费,,,公务接待费\n"
	                ",,小计,公务用车购置费,公务用车运行费,\n"
	                ",,,,,\n");

	(void)state;
	expect_ok(out, 7, "wan");
	expect_line(out, "R|0|three_public|||total=0.00|outbound_travel=0.00|vehicle_total=0.00|"
	                 "vehicle_purchase=0.00|vehicle_operation=0.00|official_reception=0.00");
	expect_line(out, "E|5|5|0|0|0|ok|0");
	free(out);
}

/* ---- header wording --------------------------------------------------------------- */

static void test_header_wording_variants(void **state)
{
	char *out = run("2023年一般公共预算支出表,,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,,单位：万元\n"
	                "功能分类科目编码,功能分类科目名称,总计,人员支出,公用支出,项目支出\n"
	                "2010301,行政运行,3.00,1.00,2.00,\n");

	(void)state;
	expect_ok(out, 5, "wan");
	expect_line(out, "R|4|row|2010301|行政运行|total=30000.00|personnel=10000.00|"
	                 "public=20000.00|project=");
	free(out);
	out = run("2023年部门支出总表,,,,\n"
	          "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	          "科目代码,科目名称,合计,基本支出,项目支出\n"
	          "2010301,行政运行,1.00,1.00,\n");
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|row|2010301|行政运行|total=10000.00|basic=10000.00|project=");
	free(out);
}

static void test_two_row_header_with_merged_cells(void **state)
{
	char *out = run("2023年一般公共预算支出表,,,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,,,项目支出\n"
	                ",,,小计,人员经费,公用经费,\n"
	                "2010301,行政运行,382.28,382.28,358.41,23.87,\n");

	(void)state;
	expect_ok(out, 5, "wan");
	expect_line(out, "R|5|row|2010301|行政运行|total=3822800.00|basic=3822800.00|"
	                 "personnel=3584100.00|public=238700.00|project=");
	free(out);
}

/* Table 2 of a province that prints one 财政拨款收入 column: loaded as printed. */
static void test_fiscal_appropriation_single_column(void **state)
{
	char *out = run("2023年部门收入总表,,,,,,\n"
	                "部门名称：南昌市西湖区某某局,,,,,,单位：万元\n"
	                "科目编码,科目名称,合计,本年收入,,,上年结转结余\n"
	                ",,,小计,财政拨款收入,事业收入,\n"
	                ",合计,10.00,9.00,8.00,1.00,1.00\n");

	(void)state;
	expect_ok(out, 2, "wan");
	expect_line(out, "R|5|total||合计|total=100000.00|income_subtotal=90000.00|"
	                 "fiscal_appropriation=80000.00|business=10000.00|carryover=10000.00");
	free(out);
}

static void test_unknown_header_names_the_column(void **state)
{
	char *out = run("2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,专项资金\n"
	                "2010301,行政运行,1.00,1.00,\n");

	(void)state;
	expect_rejected(out, "unknown_header", "第 5 列", "专项资金");
	free(out);
}

/* ---- code layouts ---------------------------------------------------------------- */

/* Split 类|款|项 under a merged 科目编码, with a 类/款/项 header row. */
static void test_split_codes_with_class_row(void **state)
{
	char *out = run("2023年部门支出总表,,,,,,\n"
	                "编制单位：南昌市西湖区教育体育局,,,,,,单位：元\n"
	                "科目编码,,,科目名称,合计,基本支出,项目支出\n"
	                "类,款,项,,,,\n"
	                "205,,,教育支出,\"100.00\",100.00,-\n"
	                "205,01,,教育管理事务,100.00,100.00,-\n"
	                "205,01,01,行政运行,100.00,100.00,—\n");

	(void)state;
	expect_ok(out, 3, "yuan");
	expect_line(out, "R|5|row|205|教育支出|total=100.00|basic=100.00|project=");
	expect_line(out, "R|6|row|20501|教育管理事务|total=100.00|basic=100.00|project=");
	expect_line(out, "R|7|row|2050101|行政运行|total=100.00|basic=100.00|project=");
	free(out);
}

/* The same with no 类/款/项 row: the blank-headed columns right of 科目编码. */
static void test_split_codes_without_class_row(void **state)
{
	char *out = run("2023年部门支出总表,,,,,,\n"
	                "编制单位：南昌市西湖区教育体育局,,,,,,单位：元\n"
	                "科目编码,,,科目名称,合计,基本支出,项目支出\n"
	                "205,01,01,行政运行,100.00,100.00,-\n");

	(void)state;
	expect_ok(out, 3, "yuan");
	expect_line(out, "R|4|row|2050101|行政运行|total=100.00|basic=100.00|project=");
	free(out);
}

static void test_economic_codes_split_class_section(void **state)
{
	char *out = run("2023年一般公共预算基本支出表,,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,,单位：万元\n"
	                "经济分类科目编码,,经济分类科目名称,合计,人员经费,公用经费\n"
	                "类,款,,,,\n"
	                "301,,工资福利支出,1.00,1.00,\n"
	                "301,01,基本工资,1.00,1.00,\n");

	(void)state;
	expect_ok(out, 6, "wan");
	expect_line(out, "R|5|row|301|工资福利支出|total=10000.00|personnel=10000.00|public=");
	expect_line(out, "R|6|row|30101|基本工资|total=10000.00|personnel=10000.00|public=");
	free(out);
}

static void test_code_and_name_in_one_cell(void **state)
{
	char *out = run("2023年部门支出总表,,,\n"
	                "单位名称：南昌市西湖区政务服务数据管理局,,,单位:万元\n"
	                "功能分类科目,合计,基本支出,项目支出\n"
	                "[2010301]行政运行,1.00,1.00,\n"
	                "2010302 一般行政管理事务,2.00,,2.00\n");

	(void)state;
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|row|2010301|行政运行|total=10000.00|basic=10000.00|project=");
	expect_line(out, "R|5|row|2010302|一般行政管理事务|total=20000.00|basic=|project=20000.00");
	free(out);
	/* The same cells under a 科目编码 header. */
	out = run("2023年部门支出总表,,,\n"
	          "部门：南昌市西湖区政务服务数据管理局,,,单位：万元\n"
	          "科目编码,合计,基本支出,项目支出\n"
	          "【2010301】行政运行,1.00,1.00,\n");
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|row|2010301|行政运行|total=10000.00|basic=10000.00|project=");
	free(out);
}

static void test_spaced_and_fullwidth_codes(void **state)
{
	char *out = run("2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "201 03 01,行政运行,1.00,1.00,\n"
	                "２０１０３０２,一般行政管理事务,２.００,,２.００\n"
	                "201　03　99,其他政府办公厅（室）及相关机构事务支出,3.00,,3.00\n");

	(void)state;
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|row|2010301|行政运行|total=10000.00|basic=10000.00|project=");
	expect_line(out, "R|5|row|2010302|一般行政管理事务|total=20000.00|basic=|project=20000.00");
	expect_line(out, "R|6|row|2010399|其他政府办公厅（室）及相关机构事务支出|total=30000.00|"
	                 "basic=|project=30000.00");
	free(out);
}

/* No codes at all: names indented with U+3000 keep their level as indent=. */
static void test_names_indented_with_ideographic_space(void **state)
{
	char *out = run("2023年部门支出总表,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,单位：万元\n"
	                "科目名称,合计,基本支出,项目支出\n"
	                "一般公共服务支出,1.00,1.00,\n"
	                "　政府办公厅（室）及相关机构事务,1.00,1.00,\n"
	                "　　行政运行,1.00,1.00,\n");

	(void)state;
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|row||一般公共服务支出|total=10000.00|basic=10000.00|project=");
	expect_line(out, "R|5|row||政府办公厅（室）及相关机构事务|indent=1|total=10000.00|"
	                 "basic=10000.00|project=");
	expect_line(out, "R|6|row||行政运行|indent=2|total=10000.00|basic=10000.00|project=");
	free(out);
}

static void test_total_row_at_top_and_at_bottom(void **state)
{
	static const char *const csv[] = {
	    "2023年部门支出总表,,,,\n"
	    "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	    "科目编码,科目名称,合计,基本支出,项目支出\n"
	    ",合计,1.00,1.00,\n"
	    "2010301,行政运行,1.00,1.00,\n",
	    "2023年部门支出总表,,,,\n"
	    "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	    "科目编码,科目名称,合计,基本支出,项目支出\n"
	    "2010301,行政运行,1.00,1.00,\n"
	    "总计,,1.00,1.00,\n",
	};

	(void)state;
	for (size_t i = 0; i < N(csv); i++) {
		char *out = run(csv[i]);

		expect_ok(out, 3, "wan");
		expect_line(out, i == 0 ? "R|4|total||合计|total=10000.00|basic=10000.00|project="
		                        : "R|5|total||总计|total=10000.00|basic=10000.00|project=");
		free(out);
	}
}

/* ---- tables 8 and 9 ------------------------------------------------------------------ */

static void test_gov_fund_note_line_yields_no_rows(void **state)
{
	char *out = run("表8,,,,\n"
	                "2023年政府性基金预算支出表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "本部门没有政府性基金预算,,,,\n");

	(void)state;
	expect_ok(out, 8, "wan");
	assert_int_equal(count_lines(out, 'R'), 0);
	expect_line(out, "E|5|5|0|0|0|ok|0");
	free(out);
}

/* Regression: "本部门无…" was no note wording, so the line was taken for a header row. */
static void test_state_capital_none_lines(void **state)
{
	static const char *const lines[] = {
	    "本部门无国有资本经营预算支出。,,,,\n",
	    ",本单位2023年度无国有资本经营预算支出,,,\n",
	    "注：本部门无国有资本经营预算拨款安排的支出，故本表为空表。,,,,\n",
	};

	(void)state;
	for (size_t i = 0; i < N(lines); i++) {
		char csv[1024], *out;

		snprintf(csv, sizeof(csv),
		         "2023年国有资本经营预算支出表,,,,\n"
		         "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
		         "科目编码,科目名称,合计,基本支出,项目支出\n"
		         "%s",
		         lines[i]);
		out = run(csv);
		expect_ok(out, 10, "wan");
		assert_int_equal(count_lines(out, 'R'), 0);
		free(out);
	}
}

/* "合　　计" in the code column, and a footnote after the data. */
static void test_spaced_total_and_footnote(void **state)
{
	char *out = run("2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "合　　计,,1.00,1.00,\n"
	                "2010301,行政运行,1.00,1.00,\n"
	                "注：本表金额为零的科目不列示。,,,,\n");

	(void)state;
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|total||合　　计|total=10000.00|basic=10000.00|project=");
	expect_line(out, "E|6|4|2|0|0|ok|5000");
	free(out);
}

/* Merged 一级/二级指标 cells export blank: they come from the line above. */
static void test_projects_with_merged_cells(void **state)
{
	char *out =
	    run("2023年项目支出绩效目标表,,,,,,,\n"
	        "部门：南昌市西湖区政务服务数据管理局,,,,,,,单位：万元\n"
	        "项目名称,主管部门,资金总额,年度绩效目标,一级指标,二级指标,三级指标,指标值\n"
	        "窗口聘用人员经费项目,南昌市西湖区政务服务数据管理局,72.00,保障项目顺利实施,"
	        "成本指标,经济成本指标,总成本控制,=72万元\n"
	        ",,,,产出指标,数量指标,人员聘用数,≥13人\n"
	        ",,,,,,办件办结率,≥98%\n"
	        ",,,,,质量指标,办件好评率,≥95%\n"
	        "全区互联网包年项目,,57.60,,,,,\n"
	        ",,,,满意度指标,服务对象满意度,各级单位使用满意度,≥95%\n");

	(void)state;
	expect_ok(out, 9, "wan");
	expect_line(out, "R|4|project||窗口聘用人员经费项目|amount=720000.00|"
	                 "supervisor=南昌市西湖区政务服务数据管理局|goal=保障项目顺利实施");
	expect_line(out, "R|4|indicator||窗口聘用人员经费项目|l1=成本指标|l2=经济成本指标|"
	                 "l3=总成本控制|target==72万元");
	expect_line(out, "R|6|indicator||窗口聘用人员经费项目|l1=产出指标|l2=数量指标|"
	                 "l3=办件办结率|target=≥98%");
	expect_line(out, "R|7|indicator||窗口聘用人员经费项目|l1=产出指标|l2=质量指标|"
	                 "l3=办件好评率|target=≥95%");
	expect_line(out, "R|8|project||全区互联网包年项目|amount=576000.00|supervisor=|goal=");
	expect_line(out, "R|9|indicator||全区互联网包年项目|l1=满意度指标|l2=服务对象满意度|"
	                 "l3=各级单位使用满意度|target=≥95%");
	expect_line(out, "E|9|3|6|0|0|ok|0");
	free(out);
}

/* ---- whole-file rejections ---------------------------------------------------------- */

/* Final accounts carry their own header wording (决算数): the stage is what is refused. */
/* A 决算 table is read like its budget counterpart, with stage final. */
static void test_final_accounts_read_with_stage_final(void **state)
{
	char *out = run("2023年部门决算收入支出总表,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,单位：万元\n"
	                "收入,,支出,\n"
	                "项目,决算数,项目,决算数\n"
	                "一、一般公共预算财政拨款收入,1.00,一、一般公共服务支出,1.00\n");
	char b[64];

	(void)state;
	expect_ok(out, 1, "wan");
	assert_string_equal(f_field(out, F_STAGE, b, sizeof(b)), "final");
	expect_line(out, "R|5|income|general_budget|一、一般公共预算财政拨款收入|amount=10000.00");
	expect_line(out, "R|5|expense||一、一般公共服务支出|amount=10000.00");
	free(out);
}

/* 调整预算 in the title: the budget kinds, stage adjusted. */
static void test_adjustment_read_with_stage_adjusted(void **state)
{
	char *out = run("2023年部门支出总表（调整预算）,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,行政运行,1.00,1.00,\n");
	char b[64];

	(void)state;
	expect_ok(out, 3, "wan");
	assert_string_equal(f_field(out, F_STAGE, b, sizeof(b)), "adjusted");
	free(out);
}

static void test_missing_unit_rejected(void **state)
{
	char *out = run("2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,行政运行,1.00,1.00,\n");

	(void)state;
	expect_rejected(out, "no_unit", "单位", NULL);
	free(out);
}

static void test_year_disagreeing_with_folder_names_both(void **state)
{
	char *out = run("2024年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,行政运行,1.00,1.00,\n");

	(void)state;
	expect_rejected(out, "year_mismatch", "2024", "2023");
	free(out);
}

static void test_unknown_title_rejected(void **state)
{
	char *out = run("2023年部门资产情况表,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,单位：万元\n"
	                "资产类别,数量,金额\n"
	                "房屋,1,1.00\n"
	                "车辆,1,1.00\n"
	                "设备,1,1.00\n"
	                "其他,1,1.00\n");

	(void)state;
	expect_rejected(out, "unknown_table", "titles.tsv", NULL);
	free(out);
}

/*
 * A Big5 file decodes as GB18030 without error (test_infile): the decoded
 * title is no known title, and that, not validity, refuses it.
 */
static void test_big5_decoded_as_gb18030_is_unproven(void **state)
{
	static const char big5_utf8[] =
	    "2023年部門收支總表,,,\n"
	    "部門：南昌市西湖區政務服務數據管理局,,,單位：萬元\n"
	    "項目,預算數,項目,預算數\n"
	    "一、一般公共預算撥款收入,648.03,一、一般公共服務支出,555.28\n";
	char big5[512], text[1024], *in = (char *)big5_utf8, *o = big5, *out;
	size_t inleft = strlen(big5_utf8), oleft = sizeof(big5);
	iconv_t cd = iconv_open("BIG5", "UTF-8");

	(void)state;
	assert_true(iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1);
	iconv_close(cd);
	cd = iconv_open("UTF-8", "GB18030");
	inleft = (size_t)(o - big5);
	in = big5;
	o = text;
	oleft = sizeof(text) - 1;
	assert_true(iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1);
	iconv_close(cd);
	*o = '\0';
	out = run_as(text, 2023, "109001", 1);
	expect_rejected(out, "unproven_encoding", NULL, NULL);
	free(out);
}

static void test_unterminated_quote_rejects_the_file(void **state)
{
	char *out = run("2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,\"行政运行,1.00,1.00,\n");

	(void)state;
	expect_rejected(out, "bad_csv", "line 4", NULL);
	assert_int_equal(count_lines(out, 'R'), 0);
	free(out);
}

/* ---- rejected rows ---------------------------------------------------------------------- */

static void test_bad_amount_rejects_the_row_only(void **state)
{
	char *out = run("2023年部门支出总表,,,,\n"
	                "部门：南昌市西湖区政务服务数据管理局,,,,单位：万元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,行政运行,1.00,1.00,\n"
	                "2010302,一般行政管理事务,一百,,\n"
	                "20103x,错码,1.00,,1.00\n");
	char b[512];

	(void)state;
	assert_string_equal(expect_accounting(out, b, sizeof(b)), "ok");
	expect_line(out, "E|6|3|1|0|2|ok|5000");
	assert_string_equal(field_of(nth_line(out, 'J', 0), 1 + J_REASON, b, sizeof(b)),
	                    "bad_amount");
	assert_string_equal(field_of(nth_line(out, 'J', 0), 1 + J_LINE, b, sizeof(b)), "5");
	assert_string_equal(field_of(nth_line(out, 'J', 1), 1 + J_REASON, b, sizeof(b)),
	                    "bad_code");
	free(out);
}

/* The unit in the title cell, in parentheses (regression: was no_unit). */
static void test_unit_in_title_parentheses(void **state)
{
	char *out = run("2023年部门支出总体情况表（单位：万元）\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                ",合计,1.00,1.00,\n"
	                "2010301,行政运行,1.00,1.00,\n");

	(void)state;
	expect_ok(out, 3, "wan");
	expect_line(out, "R|4|row|2010301|行政运行|total=10000.00|basic=10000.00|project=");
	free(out);
}

/* Department and unit in one meta cell: the name stops before 单位. */
static void test_department_and_unit_in_one_cell(void **state)
{
	char *out = run("2023年部门支出总表\n"
	                "单位名称：南昌市西湖区政务服务数据管理局　　　　单位：元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,行政运行,5,5,\n");
	char b[512];

	(void)state;
	expect_ok(out, 3, "yuan");
	assert_string_equal(f_field(out, F_DEPT_NAME, b, sizeof(b)),
	                    "南昌市西湖区政务服务数据管理局");
	free(out);
}

/* "科目" merged over 编码|名称 with a second header row. */
static void test_subject_merged_over_code_and_name(void **state)
{
	char *out = run("2023年部门收入总表\n"
	                "单位：元\n"
	                "科目,,合计,本年收入,,上年结转\n"
	                "编码,名称,,小计,一般公共预算拨款,\n"
	                "2010301,行政运行,5,5,5,\n");

	(void)state;
	expect_ok(out, 2, "yuan");
	expect_line(out, "R|5|row|2010301|行政运行|total=5.00|income_subtotal=5.00|"
	                 "general_budget=5.00|carryover=");
	free(out);
}

/* A sign-off line under the table is not a row (regression: unknown_name). */
static void test_footer_line_is_not_a_row(void **state)
{
	char *out = run("2023年部门支出总表\n"
	                "单位：元\n"
	                "科目编码,科目名称,合计,基本支出,项目支出\n"
	                "2010301,行政运行,5,5,\n"
	                "制表人：张三,,联系电话：12345678,,\n");

	(void)state;
	expect_ok(out, 3, "yuan");
	expect_line(out, "E|5|4|1|0|0|ok|50");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_titles_of_the_ten_kinds),
	    cmocka_unit_test(test_titles_of_province_variants),
	    cmocka_unit_test(test_title_spellings),
	    cmocka_unit_test(test_title_stage_words),
	    cmocka_unit_test(test_not_titles),
	    cmocka_unit_test(test_seed_expenditure_table),
	    cmocka_unit_test(test_unit_in_title_parentheses),
	    cmocka_unit_test(test_footer_line_is_not_a_row),
	    cmocka_unit_test(test_department_and_unit_in_one_cell),
	    cmocka_unit_test(test_subject_merged_over_code_and_name),
	    cmocka_unit_test(test_two_sided_table_one_header_row),
	    cmocka_unit_test(test_shanghai_financial_summary),
	    cmocka_unit_test(test_shanghai_revenue_three_header_rows),
	    cmocka_unit_test(test_shanghai_function_table_three_header_rows),
	    cmocka_unit_test(test_shanghai_economic_table),
	    cmocka_unit_test(test_three_public_reordered_with_admin_operating),
	    cmocka_unit_test(test_three_public_usual_layout),
	    cmocka_unit_test(test_three_public_empty_row_is_all_zero),
	    cmocka_unit_test(test_header_wording_variants),
	    cmocka_unit_test(test_two_row_header_with_merged_cells),
	    cmocka_unit_test(test_fiscal_appropriation_single_column),
	    cmocka_unit_test(test_unknown_header_names_the_column),
	    cmocka_unit_test(test_split_codes_with_class_row),
	    cmocka_unit_test(test_split_codes_without_class_row),
	    cmocka_unit_test(test_economic_codes_split_class_section),
	    cmocka_unit_test(test_code_and_name_in_one_cell),
	    cmocka_unit_test(test_spaced_and_fullwidth_codes),
	    cmocka_unit_test(test_names_indented_with_ideographic_space),
	    cmocka_unit_test(test_total_row_at_top_and_at_bottom),
	    cmocka_unit_test(test_gov_fund_note_line_yields_no_rows),
	    cmocka_unit_test(test_state_capital_none_lines),
	    cmocka_unit_test(test_spaced_total_and_footnote),
	    cmocka_unit_test(test_projects_with_merged_cells),
	    cmocka_unit_test(test_final_accounts_read_with_stage_final),
	    cmocka_unit_test(test_adjustment_read_with_stage_adjusted),
	    cmocka_unit_test(test_missing_unit_rejected),
	    cmocka_unit_test(test_year_disagreeing_with_folder_names_both),
	    cmocka_unit_test(test_unknown_title_rejected),
	    cmocka_unit_test(test_big5_decoded_as_gb18030_is_unproven),
	    cmocka_unit_test(test_unterminated_quote_rejects_the_file),
	    cmocka_unit_test(test_bad_amount_rejects_the_row_only),
	};

	return cmocka_run_group_tests(tests, load_wording, free_wording);
}
