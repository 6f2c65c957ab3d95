/*
 * Unit tests of etl/refdata.c: loading config/classifications (run from the
 * repository root), lookups, crosswalk, nearest codes, name lookups, local
 * additions, rejection of bad files with file and line, and the internal
 * consistency of every shipped list.
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

#include "refdata.h"

#define N(a)       (sizeof(a) / sizeof((a)[0]))
#define CONFIG_DIR "config/classifications"
#define FIRST_YEAR 2018
#define LAST_YEAR  2025

static const char *const scheme_file[SCHEME_COUNT] = {"function", "econ_dept", "econ_gov"};

/* ---------------------------------------------------------------- helpers */

/* The real configuration, loaded once per test that needs it. */
static int setup_real(void **state)
{
	struct refdata *rd = calloc(1, sizeof(*rd));
	struct etl_err err;

	if (!rd)
		return -1;
	if (refdata_load(rd, CONFIG_DIR, &err) < 0) {
		fprintf(stderr, "refdata_load(%s): %s: %s\n", CONFIG_DIR, err.reason, err.message);
		free(rd);
		return -1;
	}
	*state = rd;
	return 0;
}

static int teardown_real(void **state)
{
	refdata_free(*state);
	free(*state);
	return 0;
}

/* Write text to dir/rel, creating the folders on the way. */
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

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh temporary folder holding a small but valid configuration. */
static void make_tree(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/test_refdata-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_file(dir, "2023/function.csv",
	         "code,name,level,parent_code\n"
	         "201,一般公共服务支出,1,\n"
	         "20101,人大事务,2,201\n"
	         "2010101,行政运行,3,20101\n"
	         "20103,政府办公厅（室）及相关机构事务,2,201\n"
	         "2010301,行政运行,3,20103\n"
	         "2010302,一般行政管理事务,3,20103\n");
	put_file(dir, "2023/econ_dept.csv",
	         "code,name,level,parent_code\n301,工资福利支出,1,\n30101,基本工资,2,301\n");
	put_file(dir, "2023/econ_gov.csv",
	         "code,name,level,parent_code\n501,机关工资福利支出,1,\n"
	         "50101,工资奖金津补贴,2,501\n");
	put_file(dir, "2023/econ_crosswalk.csv",
	         "unit_type,dept_code,gov_code\n行政,30101,50101\n");
}

/* Load dir expecting failure: reason bad_config, the line, and the file named. */
static void expect_bad(const char *dir, long line, const char *file, const char *part)
{
	struct refdata rd;
	struct etl_err err;
	char where[256];

	assert_int_equal(refdata_load(&rd, dir, &err), -1);
	assert_string_equal(err.reason, "bad_config");
	assert_int_equal(err.line, line);
	snprintf(where, sizeof(where), "%s:%ld:", file, line);
	if (line == 0)
		snprintf(where, sizeof(where), "%s", file);
	if (!strstr(err.message, where) || (part && !strstr(err.message, part)))
		fail_msg("message \"%s\" should name \"%s\" and \"%s\"", err.message, where,
		         part ? part : "");
	assert_int_equal(rd.nlists, 0); /* left freed */
	assert_null(rd.lists);
}

/* ------------------------------------------------------- the real lists */

static void test_years(void **state)
{
	const struct refdata *rd = *state;
	int years[64], n = refdata_years(rd, years, (int)N(years));

	assert_true(n >= LAST_YEAR - FIRST_YEAR + 1);
	for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		int found = 0;

		for (int i = 0; i < n; i++)
			found |= years[i] == y;
		assert_true(found);
	}
	for (int i = 1; i < n; i++)
		assert_true(years[i - 1] < years[i]);
	assert_int_equal(refdata_years(rd, years, 2), 2);
}

static void test_lookup_2023(void **state)
{
	const struct refdata *rd = *state;
	const struct ref_list *f = refdata_list(rd, 2023, SCHEME_FUNCTION);
	const struct ref_list *e = refdata_list(rd, 2023, SCHEME_ECON_DEPT);
	const struct ref_code *c;
	static const struct {
		const char *code, *name, *parent;
		int level;
	} fc[] =
	    {
	        {"2010301", "行政运行", "20103", 3},
	        {"2050101", "行政运行", "20501", 3},
	        {"2120801", "征地和拆迁补偿支出", "21208", 3},
	        {"2210201", "住房公积金", "22102", 3},
	        {"20805", "行政事业单位养老支出", "208", 2},
	        {"224", "灾害防治及应急管理支出", "", 1},
	    },
	  ec[] = {
	      {"30101", "基本工资", "301", 2},
	      {"31002", "办公设备购置", "310", 2},
	      {"303", "对个人和家庭的补助", "", 1},
	  };

	assert_non_null(f);
	assert_non_null(e);
	assert_false(f->complete);
	for (size_t i = 0; i < N(fc); i++) {
		c = ref_find(f, fc[i].code);
		assert_non_null(c);
		assert_string_equal(c->name, fc[i].name);
		assert_string_equal(c->parent, fc[i].parent);
		assert_int_equal(c->level, fc[i].level);
	}
	for (size_t i = 0; i < N(ec); i++) {
		c = ref_find(e, ec[i].code);
		assert_non_null(c);
		assert_string_equal(c->name, ec[i].name);
		assert_string_equal(c->parent, ec[i].parent);
	}
	assert_null(ref_find(f, "2069801"));
	assert_null(ref_find(f, ""));
	assert_null(ref_find(NULL, "201"));
	assert_null(refdata_list(rd, 1999, SCHEME_FUNCTION));
}

/* Editions differ: 224 from 2019, 210 renamed in 2019, 20805 in 2022. */
static void test_editions(void **state)
{
	const struct refdata *rd = *state;
	const struct ref_list *f18 = refdata_list(rd, 2018, SCHEME_FUNCTION);
	const struct ref_list *f19 = refdata_list(rd, 2019, SCHEME_FUNCTION);

	assert_null(ref_find(f18, "224"));
	assert_non_null(ref_find(f19, "224"));
	assert_string_equal(ref_find(f18, "210")->name, "医疗卫生与计划生育支出");
	assert_string_equal(ref_find(f19, "210")->name, "卫生健康支出");
	assert_string_equal(ref_find(refdata_list(rd, 2021, SCHEME_FUNCTION), "20805")->name,
	                    "行政事业单位离退休");
	assert_string_equal(ref_find(refdata_list(rd, 2022, SCHEME_FUNCTION), "20805")->name,
	                    "行政事业单位养老支出");
	assert_true(rd->nchanges > 0);
	assert_true(rd->ncofog > 0);
}

static void test_crosswalk(void **state)
{
	const struct refdata *rd = *state;
	static const struct {
		const char *unit, *dept, *gov;
	} cases[] = {
	    {"行政", "30101", "50101"}, {"事业", "30101", "50501"}, {"参公", "30101", "50101"},
	    {"行政", "30201", "50201"}, {"事业", "30201", "50502"}, {"行政", "30302", "50905"},
	    {"行政", "30113", "50103"}, {"行政", "30217", "50206"},
	};

	for (int y = FIRST_YEAR; y <= LAST_YEAR; y++)
		for (size_t i = 0; i < N(cases); i++) {
			const char *g = refdata_crosswalk(rd, y, cases[i].unit, cases[i].dept);

			assert_non_null(g);
			assert_string_equal(g, cases[i].gov);
		}
	assert_null(refdata_crosswalk(rd, 2023, "企业", "30101"));
	assert_null(refdata_crosswalk(rd, 2023, "行政", "301"));
	assert_null(refdata_crosswalk(rd, 1999, "行政", "30101"));
}

static void test_nearest(void **state)
{
	const struct ref_list *f = refdata_list(*state, 2023, SCHEME_FUNCTION);
	const struct ref_code *out[5];
	int n = ref_nearest(f, "2010398", out, (int)N(out));

	/* same 款 first, numerically closest first */
	assert_int_equal(n, 5);
	assert_string_equal(out[0]->code, "2010399");
	assert_string_equal(out[1]->code, "2010350");
	for (int i = 0; i < n; i++) {
		assert_int_equal(out[i]->level, 3);
		assert_string_equal(out[i]->parent, "20103");
	}
	/* a 款 missing under a known 类 */
	n = ref_nearest(f, "20198", out, 3);
	assert_int_equal(n, 3);
	assert_string_equal(out[0]->code, "20199");
	assert_string_equal(out[1]->code, "20138");
	/* a 项 under a 款 the list lacks: codes of the same 类 first, never the
	 * numerically close codes of the next 类 (2069801 is nearer 2070101) */
	n = ref_nearest(f, "2069801", out, 3);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		assert_memory_equal(out[i]->code, "206", 3);
	/* never the code itself */
	n = ref_nearest(f, "2010301", out, 1);
	assert_int_equal(n, 1);
	assert_string_equal(out[0]->code, "2010302");
	/* a 类 level query, and malformed input */
	assert_int_equal(ref_nearest(f, "218", out, 2), 2);
	assert_int_equal(out[0]->level, 1);
	assert_int_equal(ref_nearest(f, "2010", out, 3), 0);
	assert_int_equal(ref_nearest(f, "20x03", out, 3), 0);
	assert_int_equal(ref_nearest(f, "2010301", out, 0), 0);
}

static void test_child_by_name(void **state)
{
	const struct ref_list *f = refdata_list(*state, 2023, SCHEME_FUNCTION);
	const struct ref_list *e = refdata_list(*state, 2023, SCHEME_ECON_DEPT);
	const struct ref_code *c;
	bool amb = true;

	c = ref_find_child_by_name(f, "20103", "行政运行", &amb);
	assert_non_null(c);
	assert_string_equal(c->code, "2010301");
	assert_false(amb);
	c = ref_find_child_by_name(f, "20106", "　　行政运行", &amb);
	assert_non_null(c);
	assert_string_equal(c->code, "2010601");
	/* folding: half-width brackets match the full-width ones of the list */
	c = ref_find_child_by_name(f, "201", "政府办公厅(室)及相关机构事务", &amb);
	assert_non_null(c);
	assert_string_equal(c->code, "20103");
	c = ref_find_child_by_name(f, NULL, "一般公共服务支出", &amb);
	assert_non_null(c);
	assert_string_equal(c->code, "201");
	c = ref_find_child_by_name(f, "", "卫生健康支出", NULL);
	assert_non_null(c);
	assert_string_equal(c->code, "210");
	assert_null(ref_find_child_by_name(f, NULL, "行政运行", &amb));
	assert_false(amb);
	assert_null(ref_find_child_by_name(f, "20103", "不存在的科目", &amb));
	assert_null(ref_find_child_by_name(f, "20103", "", &amb));
	c = ref_find_child_by_name(e, "303", "退休费", &amb);
	assert_non_null(c);
	assert_string_equal(c->code, "30302");
}

/*
 * Every code of the 2023 example submissions (tables 2, 3, 5, 6, 8 of
 * samples/2023/109001, 110001 and 110002) with the name they print.
 */
static void test_samples_2023(void **state)
{
	const struct refdata *rd = *state;
	static const struct {
		enum scheme s;
		const char *code, *name;
	} cases[] = {
	    {SCHEME_FUNCTION, "201", "一般公共服务支出"},
	    {SCHEME_FUNCTION, "20103", "政府办公厅（室）及相关机构事务"},
	    {SCHEME_FUNCTION, "2010301", "行政运行"},
	    {SCHEME_FUNCTION, "2010302", "一般行政管理事务"},
	    {SCHEME_FUNCTION, "20106", "财政事务"},
	    {SCHEME_FUNCTION, "2010601", "行政运行"},
	    {SCHEME_FUNCTION, "2010602", "一般行政管理事务"},
	    {SCHEME_FUNCTION, "2010607", "信息化建设"},
	    {SCHEME_FUNCTION, "205", "教育支出"},
	    {SCHEME_FUNCTION, "20501", "教育管理事务"},
	    {SCHEME_FUNCTION, "2050101", "行政运行"},
	    {SCHEME_FUNCTION, "2050102", "一般行政管理事务"},
	    {SCHEME_FUNCTION, "206", "科学技术支出"},
	    {SCHEME_FUNCTION, "20601", "科学技术管理事务"},
	    {SCHEME_FUNCTION, "2060199", "其他科学技术管理事务支出"},
	    {SCHEME_FUNCTION, "208", "社会保障和就业支出"},
	    {SCHEME_FUNCTION, "20805", "行政事业单位养老支出"},
	    {SCHEME_FUNCTION, "2080505", "机关事业单位基本养老保险缴费支出"},
	    {SCHEME_FUNCTION, "2080506", "机关事业单位职业年金缴费支出"},
	    {SCHEME_FUNCTION, "210", "卫生健康支出"},
	    {SCHEME_FUNCTION, "21011", "行政事业单位医疗"},
	    {SCHEME_FUNCTION, "2101101", "行政单位医疗"},
	    {SCHEME_FUNCTION, "212", "城乡社区支出"},
	    {SCHEME_FUNCTION, "21208", "国有土地使用权出让收入安排的支出"},
	    {SCHEME_FUNCTION, "2120801", "征地和拆迁补偿支出"},
	    {SCHEME_FUNCTION, "221", "住房保障支出"},
	    {SCHEME_FUNCTION, "22102", "住房改革支出"},
	    {SCHEME_FUNCTION, "2210201", "住房公积金"},
	    {SCHEME_ECON_DEPT, "301", "工资福利支出"},
	    {SCHEME_ECON_DEPT, "30101", "基本工资"},
	    {SCHEME_ECON_DEPT, "30102", "津贴补贴"},
	    {SCHEME_ECON_DEPT, "30103", "奖金"},
	    {SCHEME_ECON_DEPT, "30107", "绩效工资"},
	    {SCHEME_ECON_DEPT, "30108", "机关事业单位基本养老保险缴费"},
	    {SCHEME_ECON_DEPT, "30109", "职业年金缴费"},
	    {SCHEME_ECON_DEPT, "30110", "职工基本医疗保险缴费"},
	    {SCHEME_ECON_DEPT, "30112", "其他社会保障缴费"},
	    {SCHEME_ECON_DEPT, "30113", "住房公积金"},
	    {SCHEME_ECON_DEPT, "30199", "其他工资福利支出"},
	    {SCHEME_ECON_DEPT, "302", "商品和服务支出"},
	    {SCHEME_ECON_DEPT, "30201", "办公费"},
	    {SCHEME_ECON_DEPT, "30202", "印刷费"},
	    {SCHEME_ECON_DEPT, "30205", "水费"},
	    {SCHEME_ECON_DEPT, "30206", "电费"},
	    {SCHEME_ECON_DEPT, "30207", "邮电费"},
	    {SCHEME_ECON_DEPT, "30209", "物业管理费"},
	    {SCHEME_ECON_DEPT, "30211", "差旅费"},
	    {SCHEME_ECON_DEPT, "30215", "会议费"},
	    {SCHEME_ECON_DEPT, "30216", "培训费"},
	    {SCHEME_ECON_DEPT, "30217", "公务接待费"},
	    {SCHEME_ECON_DEPT, "30228", "工会经费"},
	    {SCHEME_ECON_DEPT, "30229", "福利费"},
	    {SCHEME_ECON_DEPT, "30231", "公务用车运行维护费"},
	    {SCHEME_ECON_DEPT, "30239", "其他交通费用"},
	    {SCHEME_ECON_DEPT, "303", "对个人和家庭的补助"},
	    {SCHEME_ECON_DEPT, "30302", "退休费"},
	    {SCHEME_ECON_DEPT, "30305", "生活补助"},
	    {SCHEME_ECON_DEPT, "310", "资本性支出"},
	    {SCHEME_ECON_DEPT, "31002", "办公设备购置"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		const struct ref_code *c =
		    ref_find(refdata_list(rd, 2023, cases[i].s), cases[i].code);

		if (!c)
			fail_msg("2023 %s code %s missing", scheme_file[cases[i].s], cases[i].code);
		assert_string_equal(c->name, cases[i].name);
	}
}

/* ------------------------------------------------ consistency of the lists */

/* One list: sorted, unique, level = length, parent present, names set. */
static void check_list(const struct ref_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ref_code *c = &l->codes[i];
		size_t len = strlen(c->code);
		int lv = len == 3 ? 1 : len == 5 ? 2 : len == 7 ? 3 : 0;

		if (i > 0 && strcmp(l->codes[i - 1].code, c->code) >= 0)
			fail_msg("%d %s: %s not after %s", l->year, scheme_file[l->scheme], c->code,
			         l->codes[i - 1].code);
		if (lv == 0 || lv != c->level || (lv == 3 && l->scheme != SCHEME_FUNCTION))
			fail_msg("%d %s: %s has level %d", l->year, scheme_file[l->scheme], c->code,
			         c->level);
		if (strspn(c->code, "0123456789") != len)
			fail_msg("%d: code %s is not digits", l->year, c->code);
		if (!c->name || !c->name[0])
			fail_msg("%d %s: %s has no name", l->year, scheme_file[l->scheme], c->code);
		if (lv == 1
		        ? c->parent[0] != '\0'
		        : strlen(c->parent) != len - 2 ||
		              strncmp(c->parent, c->code, len - 2) != 0 || !ref_find(l, c->parent))
			fail_msg("%d %s: %s has parent \"%s\"", l->year, scheme_file[l->scheme],
			         c->code, c->parent);
	}
}

/* A sidecar exists and carries complete, source, method and lacks. */
static void check_meta(int year, const char *file)
{
	static const char *const keys[] = {"complete", "source", "method", "lacks"};
	char path[512], line[8192];
	int seen[N(keys)] = {0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/%s.csv.meta", CONFIG_DIR, year, file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s is missing", path);
	while (fgets(line, sizeof(line), f))
		for (size_t k = 0; k < N(keys); k++) {
			size_t n = strlen(keys[k]);

			if (strncmp(line, keys[k], n) == 0 && strstr(line, "=") &&
			    strlen(strstr(line, "=")) > 2)
				seen[k] = 1;
		}
	fclose(f);
	for (size_t k = 0; k < N(keys); k++)
		if (!seen[k])
			fail_msg("%s lacks \"%s = ...\"", path, keys[k]);
}

static void test_consistency(void **state)
{
	const struct refdata *rd = *state;

	for (size_t i = 0; i < rd->nlists; i++)
		check_list(&rd->lists[i]);
	for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		size_t xw = 0;

		for (int s = 0; s < SCHEME_COUNT; s++) {
			const struct ref_list *l = refdata_list(rd, y, (enum scheme)s);

			if (!l || l->n == 0)
				fail_msg("%d has no %s list", y, scheme_file[s]);
			check_meta(y, scheme_file[s]);
		}
		check_meta(y, "econ_crosswalk");
		for (size_t i = 0; i < rd->ncrosswalk; i++) {
			const struct crosswalk_entry *x = &rd->crosswalk[i];

			if (x->year != y)
				continue;
			xw++;
			assert_non_null(
			    ref_find(refdata_list(rd, y, SCHEME_ECON_DEPT), x->dept_code));
			assert_non_null(
			    ref_find(refdata_list(rd, y, SCHEME_ECON_GOV), x->gov_code));
		}
		if (xw == 0)
			fail_msg("%d has no crosswalk", y);
	}
}

/* Every 类 of every function list has a COFOG line (division may be empty). */
static void test_cofog_covers_classes(void **state)
{
	const struct refdata *rd = *state;

	for (size_t i = 0; i < rd->nlists; i++) {
		const struct ref_list *l = &rd->lists[i];

		if (l->scheme != SCHEME_FUNCTION)
			continue;
		for (size_t j = 0; j < l->n; j++) {
			int found = 0;

			if (l->codes[j].level != 1)
				continue;
			for (size_t k = 0; k < rd->ncofog; k++)
				found |= strcmp(rd->cofog[k].class_code, l->codes[j].code) == 0;
			if (!found)
				fail_msg("%d: 类 %s has no cofog.csv line", l->year,
				         l->codes[j].code);
		}
	}
}

/* --------------------------------------------------- temporary configurations */

static void test_small_tree(void **state)
{
	char dir[64];
	struct refdata rd;
	struct etl_err err;

	(void)state;
	make_tree(dir, sizeof(dir));
	put_file(dir, "2023/function.csv.meta", "# official\ncomplete = true\nsource = MOF\n");
	put_file(dir, "tools/readme.txt", "not a year\n");
	assert_int_equal(refdata_load(&rd, dir, &err), 0);
	assert_int_equal(rd.nlists, 3);
	assert_true(refdata_list(&rd, 2023, SCHEME_FUNCTION)->complete);
	assert_false(refdata_list(&rd, 2023, SCHEME_ECON_DEPT)->complete);
	assert_string_equal(refdata_crosswalk(&rd, 2023, "行政", "30101"), "50101");
	assert_int_equal(rd.nchanges, 0);
	assert_int_equal(rd.ncofog, 0);
	refdata_free(&rd);
	refdata_free(&rd); /* freeing twice is harmless */
	rm_tree(dir);
}

/*
 * normalize's load: a year's lists are read when first asked for, and give
 * the same codes as the full load; a list that cannot be read is found then,
 * and said.
 */
static void test_lazy_validation_load(void **state)
{
	char dir[64];
	struct refdata full, lazy;
	struct etl_err err;
	const struct ref_list *a, *b;
	int ya[16], yb[16];

	(void)state;
	assert_int_equal(refdata_load(&full, CONFIG_DIR, &err), 0);
	assert_int_equal(refdata_load_for_validation(&lazy, CONFIG_DIR, &err), 0);
	assert_int_equal(lazy.nlists, 0); /* nothing read yet */
	assert_int_equal(refdata_years(&lazy, yb, 16), refdata_years(&full, ya, 16));
	assert_memory_equal(ya, yb, sizeof(int) * (size_t)refdata_years(&full, ya, 16));
	a = refdata_list(&full, 2023, SCHEME_FUNCTION);
	b = refdata_list(&lazy, 2023, SCHEME_FUNCTION);
	assert_non_null(b);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->codes[i].code, b->codes[i].code);
		assert_string_equal(a->codes[i].name, b->codes[i].name);
	}
	assert_int_equal(refdata_list(&lazy, 2023, SCHEME_ECON_DEPT)->n,
	                 refdata_list(&full, 2023, SCHEME_ECON_DEPT)->n);
	assert_null(refdata_list(&lazy, 2023, SCHEME_ECON_GOV)); /* not needed to validate */
	assert_int_equal(lazy.nlists, 2);                        /* 2023 only */
	assert_non_null(refdata_list(&lazy, 2024, SCHEME_FUNCTION));
	assert_int_equal(lazy.nlists, 4);
	assert_null(refdata_error(&lazy));
	refdata_free(&full);
	refdata_free(&lazy);

	make_tree(dir, sizeof(dir));
	put_file(dir, "2023/function.csv", "code,name,level,parent_code\n2x1,坏编码,1,\n");
	assert_int_equal(refdata_load_for_validation(&lazy, dir, &err), 0);
	assert_null(refdata_list(&lazy, 2023, SCHEME_FUNCTION));
	assert_non_null(refdata_error(&lazy));
	assert_string_equal(refdata_error(&lazy)->reason, "bad_config");
	assert_non_null(strstr(refdata_error(&lazy)->message, "function.csv"));
	refdata_free(&lazy);
	rm_tree(dir);
}

/* A CRLF file with a BOM and Excel's trailing empty columns still loads. */
static void test_excel_export(void **state)
{
	char dir[64];
	struct refdata rd;
	struct etl_err err;

	(void)state;
	make_tree(dir, sizeof(dir));
	put_file(dir, "2023/econ_gov.csv",
	         "\xEF\xBB\xBF"
	         "code,name,level,parent_code,,\r\n"
	         "501, 机关工资福利支出 ,1,,,\r\n"
	         "50101,\"工资奖金津补贴\",2,501,,\r\n"
	         "\r\n");
	assert_int_equal(refdata_load(&rd, dir, &err), 0);
	assert_string_equal(ref_find(refdata_list(&rd, 2023, SCHEME_ECON_GOV), "501")->name,
	                    "机关工资福利支出");
	refdata_free(&rd);
	rm_tree(dir);
}

static void test_local_additions(void **state)
{
	char dir[64];
	struct refdata rd;
	struct etl_err err;
	const struct ref_list *f;

	(void)state;
	make_tree(dir, sizeof(dir));
	put_file(dir, "2022/function.csv",
	         "code,name,level,parent_code\n201,一般公共服务支出,1,\n"
	         "20101,人大事务,2,201\n");
	put_file(dir, "local/a.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\n"
	         "function,2023,2010398,某项新增支出,3,20103\n"
	         "function,,2010150,事业运行,3,20101\n"
	         "function,2023,2010301,行政运行,3,20103\n" /* repeats the list: ignored */
	         "econ_dept,,30199,其他工资福利支出,2,301\n");
	put_file(dir, "local/b.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\n"
	         "function,2023,20198,新增款,2,201\n"
	         "function,2023,2019801,新增项,3,20198\n");
	put_file(dir, "local/README.md", "not a csv\n");
	assert_int_equal(refdata_load(&rd, dir, &err), 0);
	f = refdata_list(&rd, 2023, SCHEME_FUNCTION);
	assert_string_equal(ref_find(f, "2010398")->name, "某项新增支出");
	assert_non_null(ref_find(f, "2010150"));
	assert_non_null(ref_find(refdata_list(&rd, 2022, SCHEME_FUNCTION), "2010150"));
	assert_null(ref_find(refdata_list(&rd, 2022, SCHEME_FUNCTION), "2010398"));
	assert_non_null(ref_find(f, "2019801"));
	assert_non_null(ref_find(refdata_list(&rd, 2023, SCHEME_ECON_DEPT), "30199"));
	assert_int_equal(f->n, 10);
	for (size_t i = 1; i < f->n; i++)
		assert_true(strcmp(f->codes[i - 1].code, f->codes[i].code) < 0);
	refdata_free(&rd);

	/* a year without a list */
	put_file(dir, "local/c.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\n"
	         "function,2023,2010397,x,3,20103\n"
	         "function,2019,2010399,其他,3,20103\n");
	expect_bad(dir, 3, "/local/c.csv", "2019");
	/* a local line that contradicts the list */
	put_file(dir, "local/c.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\n"
	         "function,2023,2010302,另一个名称,3,20103\n");
	expect_bad(dir, 2, "/local/c.csv", "2010302");
	/* a local code whose parent exists nowhere */
	put_file(dir, "local/c.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\n\n"
	         "function,2023,2019901,x,3,20199\n");
	expect_bad(dir, 3, "/local/c.csv", "20199");
	put_file(dir, "local/c.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\nrevenue,,101,税收收入,1,\n");
	expect_bad(dir, 2, "/local/c.csv", "scheme");
	put_file(dir, "local/c.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\nfunction,23,201,x,1,\n");
	expect_bad(dir, 2, "/local/c.csv", "fiscal_year");
	rm_tree(dir);
}

/* One broken file per case: the error names the file and the line. */
static void test_bad_files(void **state)
{
	static const struct {
		const char *file, *text, *part;
		long line;
	} cases[] = {
	    {"2023/function.csv",
	     "code,name,level,parent_code\n201,一般公共服务支出,1,\n20101,人大事务,3,201\n",
	     "level", 3},
	    {"2023/function.csv",
	     "code,name,level,parent_code\n201,一般公共服务支出,1,\n2010101,行政运行,3,20101\n",
	     "parent 20101", 3},
	    {"2023/function.csv",
	     "code,name,level,parent_code\n201,a,1,\n20101,b,2,201\n201,c,1,\n", "listed twice", 4},
	    {"2023/function.csv", "code,name,level,parent_code\n201,a,1,\n20101,b,2,202\n",
	     "parent_code", 3},
	    {"2023/function.csv", "code,name,level,parent_code\n201,a,1,\n2010,b,2,201\n",
	     "not a function code", 3},
	    {"2023/function.csv", "code,name,level,parent_code\n201,,1,\n", "no name", 2},
	    {"2023/function.csv", "code,name,level\n201,a,1\n", "header must be", 1},
	    {"2023/function.csv", "code,name,level,parent_code\n201,a,1,,extra\n", "cells", 2},
	    {"2023/function.csv", "code,name,level,parent_code\n201,a,1\n", "cells", 2},
	    {"2023/function.csv", "code,name,level,parent_code\n201,\"a,1,\n", "quoted", 2},
	    {"2023/econ_dept.csv", "code,name,level,parent_code\n301,a,1,\n3010101,b,3,30101\n",
	     "econ_dept code", 3},
	    {"2023/function.csv.meta", "complete = true\ncomplete = maybe\n", "complete", 2},
	    {"2023/function.csv.meta", "source\n", "key = value", 1},
	    {"2023/econ_crosswalk.csv",
	     "unit_type,dept_code,gov_code\n行政,30101,50101\n行政,30199,50101\n", "30199", 3},
	    {"2023/econ_crosswalk.csv",
	     "unit_type,dept_code,gov_code\n行政,30101,50101\n行政,30101,50101\n", "twice", 3},
	    {"2023/econ_crosswalk.csv", "unit_type,dept_code,gov_code\n行政,30101,501\n",
	     "gov_code", 2},
	    {"changes.csv",
	     "scheme,from_year,from_code,to_year,to_code,change,note\n"
	     "function,2023,2010301,2024,2010301,renamed,x\n"
	     "function,2023,2019999,2024,2019999,renamed,x\n",
	     "2019999", 3},
	    {"changes.csv",
	     "scheme,from_year,from_code,to_year,to_code,change,note\n"
	     "function,2023,2010301,2024,,dropped,x\n",
	     "change", 2},
	    {"changes.csv",
	     "scheme,from_year,from_code,to_year,to_code,change,note\n"
	     "function,2023,2010301,2024,,retired,x\n",
	     NULL, 0}, /* no 2024 list: nothing to contradict, accepted (line 0 unused) */
	    {"cofog.csv", "class_code,cofog_division,cofog_name,basis\n201,1,General,x\n",
	     "cofog_division", 2},
	    {"cofog.csv", "class_code,cofog_division,cofog_name,basis\n201,01,G,x\n201,01,G,x\n",
	     "twice", 3},
	    {"cofog.csv", "class_code,cofog_division,cofog_name,basis\n20101,01,G,x\n",
	     "class_code", 2},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char dir[64];

		make_tree(dir, sizeof(dir));
		put_file(dir, cases[i].file, cases[i].text);
		if (!cases[i].part) {
			struct refdata rd;
			struct etl_err err;

			assert_int_equal(refdata_load(&rd, dir, &err), 0);
			assert_int_equal(rd.nchanges, 1);
			refdata_free(&rd);
		} else {
			char file[128]; /* the broken file itself is named */

			snprintf(file, sizeof(file), "%s/%s", dir, cases[i].file);
			expect_bad(dir, cases[i].line, file, cases[i].part);
		}
		rm_tree(dir);
	}
}

static void test_not_utf8(void **state)
{
	char dir[64], file[128];

	(void)state;
	make_tree(dir, sizeof(dir));
	/* "一般公共服务支出" in GB18030 */
	put_file(dir, "2023/function.csv",
	         "code,name,level,parent_code\n201,"
	         "\xD2\xBB\xB0\xE3\xB9\xAB\xB9\xB2\xB7\xFE\xCE\xF1\xD6\xA7\xB3\xF6,1,\n");
	snprintf(file, sizeof(file), "%s/2023/function.csv", dir);
	expect_bad(dir, 0, file, "UTF-8");
	rm_tree(dir);
	expect_bad("/nonexistent/classifications", 0, "/nonexistent/classifications", NULL);
}

/* A crosswalk beside a year without economic lists is a configuration error. */
static void test_crosswalk_needs_lists(void **state)
{
	char dir[64], file[128];

	(void)state;
	make_tree(dir, sizeof(dir));
	put_file(dir, "2021/econ_crosswalk.csv", "unit_type,dept_code,gov_code\n");
	snprintf(file, sizeof(file), "%s/2021/econ_crosswalk.csv", dir);
	expect_bad(dir, 0, file, "econ_dept.csv");
	rm_tree(dir);
}

static void test_ambiguous_name(void **state)
{
	char dir[64];
	struct refdata rd;
	struct etl_err err;
	bool amb = false;

	(void)state;
	make_tree(dir, sizeof(dir));
	put_file(dir, "local/dup.csv",
	         "scheme,fiscal_year,code,name,level,parent_code\n"
	         "function,2023,2010303,行政运行（二）,3,20103\n"
	         "function,2023,2010304,行政运行(二),3,20103\n");
	assert_int_equal(refdata_load(&rd, dir, &err), 0);
	assert_null(ref_find_child_by_name(refdata_list(&rd, 2023, SCHEME_FUNCTION), "20103",
	                                   "行政运行（二）", &amb));
	assert_true(amb);
	refdata_free(&rd);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest real[] = {
	    cmocka_unit_test(test_years),
	    cmocka_unit_test(test_lookup_2023),
	    cmocka_unit_test(test_editions),
	    cmocka_unit_test(test_crosswalk),
	    cmocka_unit_test(test_nearest),
	    cmocka_unit_test(test_child_by_name),
	    cmocka_unit_test(test_samples_2023),
	    cmocka_unit_test(test_consistency),
	    cmocka_unit_test(test_cofog_covers_classes),
	};
	const struct CMUnitTest temp[] = {
	    cmocka_unit_test(test_small_tree),
	    cmocka_unit_test(test_lazy_validation_load),
	    cmocka_unit_test(test_excel_export),
	    cmocka_unit_test(test_local_additions),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_not_utf8),
	    cmocka_unit_test(test_crosswalk_needs_lists),
	    cmocka_unit_test(test_ambiguous_name),
	};
	int rc = cmocka_run_group_tests_name("refdata (config/classifications)", real, setup_real,
	                                     teardown_real);

	return rc | cmocka_run_group_tests_name("refdata (temporary trees)", temp, NULL, NULL);
}
