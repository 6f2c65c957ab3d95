/*
 * Unit tests of etl/checks.c: the submission model and every reconciliation
 * identity, with a passing and a failing case each, and the three sample
 * departments of samples/2023 as text in tests/data/checks/ (109001, the
 * seed, declares 748.03 万元 of income against 648.03 万元 of expenditure).
 *
 * Conventions pinned here (see the top of etl/checks.c): expected is the
 * figure the identity demands, actual the printed one; for
 * declared_income_equals_expenditure expected = 收入总计, actual = 支出总计.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "checks.h"
#include "textnorm.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A table as text: each row "line|role|code|name|v1|v2|..." with the values
 * in the order of keys (space separated).  An empty role means a classified
 * row: "total" without a code, else subtotal or leaf by code length.  rows
 * NULL: the table is present without rows (本部门没有政府性基金预算).
 */
struct tbl {
	int kind;
	const char *keys;
	const char *const *rows;
	size_t n;
};

/* ---- building submissions ----------------------------------------------- */

/* Level and role of a classified row from its code (3/5/7 digits). */
static void classify(int kind, const char *code, int *level, const char **role)
{
	size_t n = strlen(code);
	int leaf = kind == 6 ? 2 : 3;

	if (!n) {
		*level = 0;
		*role = "total";
		return;
	}
	*level = n <= 3 ? 1 : n <= 5 ? 2 : 3;
	*role = *level == leaf ? "leaf" : "subtotal";
}

/* Add one row given as text (see struct tbl) to s. */
static void add_text_row(struct submission *s, const struct tbl *t, enum unit u, const char *text)
{
	char buf[1024], keys[512], *p = buf, *k = keys, *f[4], *key;
	const char *role;
	struct sub_row *r;
	int level = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	snprintf(keys, sizeof(keys), "%s", t->keys);
	for (int i = 0; i < 4; i++)
		f[i] = strsep(&p, "|");
	if (!f[3])
		fail_msg("a row needs line|role|code|name|values: \"%s\"", text);
	role = f[1];
	if (!role[0])
		classify(t->kind, f[2], &level, &role);
	r = sub_add_row(s, t->kind, "test.csv", atol(f[0]), role, f[2], f[3], level);
	assert_non_null(r);
	while ((key = strsep(&k, " ")) != NULL) {
		char *v = strsep(&p, "|");
		struct etl_err e;
		int64_t fen;

		assert_non_null(v);
		etl_err_clear(&e);
		if (amount_parse(v, u, &fen, &e) != 0)
			fail_msg("%s: %s", text, e.message);
		assert_int_equal(sub_add_measure(r, key, fen), 0);
	}
	assert_null(p);
}

/* Build a submission from tables, leaving out kind skip (0: none). */
static void build(struct submission *s, const char *dept, const struct tbl *t, size_t n,
                  enum unit u, int skip)
{
	submission_init(s, 2023, dept);
	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == skip)
			continue;
		if (!t[i].rows)
			s->present[t[i].kind] = true;
		for (size_t j = 0; j < t[i].n; j++)
			add_text_row(s, &t[i], u, t[i].rows[j]);
	}
}

/*
 * Read a submission written as text (tests/data/checks/<dept>.txt, format in
 * its header): "year", "dept", "unit" lines, then "table KIND keys..." and
 * its rows.  The path is relative to the checkout (the tests run from it).
 */
static void load_fixture(struct submission *s, const char *dept)
{
	char path[256], line[2048];
	FILE *f;
	struct tbl t = {0, NULL, NULL, 0};
	char keys[512] = "";
	enum unit u = UNIT_WAN;
	int year = 2023;

	snprintf(path, sizeof(path), "tests/data/checks/%s.txt", dept);
	f = fopen(path, "r");
	if (!f) {
		fail_msg("%s: %s (run from the checkout)", path, strerror(errno));
		return;
	}
	submission_init(s, year, dept);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (strncmp(line, "year ", 5) == 0) {
			s->year = atoi(line + 5);
		} else if (strncmp(line, "dept ", 5) == 0) {
			snprintf(s->dept, sizeof(s->dept), "%s", line + 5);
		} else if (strncmp(line, "unit ", 5) == 0) {
			u = strcmp(line + 5, "yuan") == 0 ? UNIT_YUAN : UNIT_WAN;
		} else if (strncmp(line, "table ", 6) == 0) {
			char *sp;

			t.kind = (int)strtol(line + 6, &sp, 10);
			assert_true(t.kind >= 1 && t.kind <= 10);
			snprintf(keys, sizeof(keys), "%s", sp + (*sp == ' '));
			t.keys = keys;
			s->present[t.kind] = true;
		} else {
			assert_true(t.kind > 0);
			add_text_row(s, &t, u, line);
		}
	}
	fclose(f);
}

/* Take table kind out of s, as if it had not been sent. */
static void drop_table(struct submission *s, int kind)
{
	struct sub_table *t = &s->tables[kind];

	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].m);
	free(t->rows);
	memset(t, 0, sizeof(*t));
	s->present[kind] = false;
}

static void build_seed(struct submission *s)
{
	load_fixture(s, "109001");
}

static void build_caizheng(struct submission *s)
{
	load_fixture(s, "110001");
}

static void build_jiaoyu(struct submission *s)
{
	load_fixture(s, "110002");
}

/* A row of kind by code, "total" (the 合计 row) or "@line". */
static struct sub_row *row_by(struct submission *s, int kind, const char *code)
{
	struct sub_table *t = &s->tables[kind];

	for (size_t i = 0; i < t->n; i++) {
		struct sub_row *r = &t->rows[i];

		if (code[0] == '@'               ? r->line == atol(code + 1)
		    : strcmp(code, "total") == 0 ? strcmp(r->role, "total") == 0
		                                 : strcmp(r->code, code) == 0)
			return r;
	}
	fail_msg("table %d has no row %s", kind, code);
	return NULL;
}

/* Set measure key of a row (see row_by) to fen. */
static void set(struct submission *s, int kind, const char *code, const char *key, int64_t fen)
{
	assert_int_equal(sub_add_measure(row_by(s, kind, code), key, fen), 0);
}

/* Add fen to measure key of a row. */
static void bump(struct submission *s, int kind, const char *code, const char *key, int64_t fen)
{
	struct sub_row *r = row_by(s, kind, code);
	bool f;
	int64_t v = sub_measure(r, key, &f);

	assert_true(f);
	assert_int_equal(sub_add_measure(r, key, v + fen), 0);
}

/* ---- looking at results -------------------------------------------------- */

/* Run the checks of s into l (emptied first) with tolerance tol. */
static void run(const struct submission *s, int64_t tol, struct check_list *l)
{
	check_list_free(l);
	assert_int_equal(checks_run(s, tol, l), 0);
}

static const struct check *find(const struct check_list *l, int kind, const char *name,
                                const char *subject)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].kind == kind && strcmp(l->c[i].name, name) == 0 &&
		    strcmp(l->c[i].subject, subject) == 0)
			return &l->c[i];
	return NULL;
}

/* Checks named name (NULL: any) that passed (1), failed (0) or either (-1). */
static size_t count(const struct check_list *l, const char *name, int passed)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if ((!name || strcmp(l->c[i].name, name) == 0) &&
		    (passed < 0 || l->c[i].passed == (passed == 1)))
			n++;
	return n;
}

/* Print the failed checks (shown when a test fails). */
static void dump_failed(const struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->c[i].passed)
			print_message("  failed: [%d] %s %s: %s\n", l->c[i].kind, l->c[i].name,
			              l->c[i].subject, l->c[i].message);
}

/* Every check of l is well formed: names, subjects and valid UTF-8 messages. */
static void assert_well_formed(const struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct check *c = &l->c[i];

		assert_true(c->name[0]);
		assert_true(c->subject[0]);
		assert_true(c->kind >= 0 && c->kind <= 10);
		assert_true(text_valid_utf8(c->message, strlen(c->message)));
		if (c->aggregate) { /* passed row identities, counted: no figures */
			assert_true(c->passed && c->rows >= 1 && c->max_diff == 0);
			assert_non_null(strstr(c->subject, " rows)"));
			assert_non_null(strstr(c->message, "差额为 0"));
		} else {
			assert_non_null(strstr(c->message, "元"));
		}
	}
}

/* The aggregate record of passed row identities (kind, name), or NULL. */
static const struct check *find_aggregate(const struct check_list *l, int kind, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].aggregate && l->c[i].kind == kind && strcmp(l->c[i].name, name) == 0)
			return &l->c[i];
	return NULL;
}

/* The check (kind, name, subject) exists, failed, with these figures. */
static struct check expect_fail(const struct submission *s, int kind, const char *name,
                                const char *subject, int64_t expected, int64_t actual)
{
	struct check_list l = {0};
	const struct check *c;
	struct check out;

	run(s, 0, &l);
	assert_well_formed(&l);
	c = find(&l, kind, name, subject);
	if (!c)
		fail_msg("no check [%d] %s %s", kind, name, subject);
	if (c->passed || c->expected != expected || c->actual != actual)
		fail_msg(
		    "[%d] %s %s: passed %d expected %lld actual %lld, want failed %lld %lld: %s",
		    kind, name, subject, c->passed, (long long)c->expected, (long long)c->actual,
		    (long long)expected, (long long)actual, c->message);
	assert_non_null(strstr(c->message, "不相等"));
	out = *c;
	check_list_free(&l);
	return out;
}

/* The check (kind, name, subject) exists and passed. */
static void expect_pass(const struct submission *s, int kind, const char *name, const char *subject)
{
	struct check_list l = {0};
	const struct check *c;

	run(s, 0, &l);
	assert_well_formed(&l);
	c = find(&l, kind, name, subject);
	/* a row identity whose two sides are equal is counted, not listed */
	if (!c)
		c = find_aggregate(&l, kind, name);
	if (!c)
		fail_msg("no check [%d] %s %s", kind, name, subject);
	if (!c->passed)
		fail_msg("[%d] %s %s failed: %s", kind, name, subject, c->message);
	check_list_free(&l);
}

/* No check of that name at all. */
static void expect_none(const struct submission *s, const char *name)
{
	struct check_list l = {0};

	run(s, 0, &l);
	assert_int_equal(count(&l, name, -1), 0);
	check_list_free(&l);
}

/* ---- the model ------------------------------------------------------------ */

static void test_model(void **state)
{
	struct submission s;
	struct sub_row *r;
	bool f = true;

	(void)state;
	submission_init(&s, 2023, "109001");
	assert_int_equal(s.year, 2023);
	assert_string_equal(s.dept, "109001");
	assert_false(s.present[3]);
	r = sub_add_row(&s, 3, "a.csv", 12, "leaf", "2010301", "行政运行", 3);
	assert_non_null(r);
	assert_true(s.present[3]);
	assert_int_equal(s.tables[3].n, 1);
	assert_int_equal(s.tables[3].kind, 3);
	assert_string_equal(s.tables[3].path, "a.csv");
	assert_int_equal(sub_add_measure(r, "basic", 382280000), 0);
	assert_int_equal(sub_measure(r, "basic", &f), 382280000);
	assert_true(f);
	assert_int_equal(sub_measure(r, "project", &f), 0);
	assert_false(f);
	assert_int_equal(sub_measure(r, "project", NULL), 0);
	/* a second value for a key replaces the first */
	assert_int_equal(sub_add_measure(r, "basic", -5), 0);
	assert_int_equal(r->nm, 1);
	assert_int_equal(sub_measure(r, "basic", NULL), -5);
	/* a key longer than CHECK_MEASURE_KEY - 1 is refused, never truncated */
	errno = 0;
	assert_int_equal(
	    sub_add_measure(r, "a_key_much_longer_than_the_limit_of_forty_eight_bytes", 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(sub_add_row(&s, 11, "x", 1, "leaf", "", "", 0));
	assert_int_equal(errno, EINVAL);
	assert_null(sub_add_row(&s, 0, "x", 1, "leaf", "", "", 0));
	/* the longest stream key fits as a code; a longer code is refused, not cut */
	assert_non_null(
	    sub_add_row(&s, 1, "x", 1, "expense", "expense_subtotal", "本年支出合计", 0));
	assert_string_equal(s.tables[1].rows[0].code, "expense_subtotal");
	errno = 0;
	assert_null(sub_add_row(&s, 1, "x", 1, "expense",
	                        "carryover_begin:general_budget_and_something_longer", "", 0));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(s.tables[1].n, 1);
	/* many rows: growth keeps earlier rows */
	for (int i = 0; i < 100; i++) {
		r = sub_add_row(&s, 6, NULL, i + 1, "leaf", "30101", "基本工资", 2);
		assert_non_null(r);
		assert_int_equal(sub_add_measure(r, "total", i), 0);
	}
	assert_int_equal(s.tables[6].n, 100);
	assert_int_equal(sub_measure(&s.tables[6].rows[41], "total", NULL), 41);
	submission_free(&s);
	assert_int_equal(s.tables[3].n, 0);
	submission_free(&s); /* twice is harmless */
}

/* Long names are cut on a character boundary; messages stay valid UTF-8. */
static void test_long_text(void **state)
{
	char name[600] = "";
	struct submission s;
	struct sub_row *r;
	struct check_list l = {0};

	(void)state;
	for (int i = 0; i < 150; i++)
		strcat(name, "预"); /* 450 bytes */
	submission_init(&s, 2023, "一个名字很长很长很长很长很长很长很长很长很长很长很长的部门");
	assert_true(text_valid_utf8(s.dept, strlen(s.dept)));
	r = sub_add_row(&s, 3, "t.csv", 5, "total", "", "合计", 0);
	assert_int_equal(sub_add_measure(r, "total", 100), 0);
	r = sub_add_row(&s, 3, "t.csv", 6, "subtotal", "201", name, 1);
	assert_int_equal(sub_add_measure(r, "total", 300), 0);
	assert_true(text_valid_utf8(r->name, strlen(r->name)));
	assert_true(strlen(r->name) < sizeof(r->name));
	r = sub_add_row(&s, 3, "t.csv", 7, "leaf", "2010301", name, 3);
	assert_int_equal(sub_add_measure(r, "total", 300), 0);
	run(&s, 0, &l);
	assert_well_formed(&l);
	assert_int_equal(count(&l, "total_equals_classes", 0), 1);
	for (size_t i = 0; i < l.n; i++)
		assert_true(strlen(l.c[i].message) < sizeof(l.c[i].message));
	check_list_free(&l);
	submission_free(&s);
}

/* ---- the sample departments ---------------------------------------------- */

/*
 * The seed department: income 748.03 万元 against expenditure 648.03 万元.
 * Its 部门收入总表 also prints a 合计 row of 748.03 over 类 rows that add up
 * to 648.03 (the 100 万元 of 其他收入 is in no 类): that is the same mistake
 * seen from table 2, reported as total_equals_classes on total,
 * income_subtotal and other.  Nothing else fails.
 */
static void test_seed_department(void **state)
{
	struct submission s;
	struct check_list l = {0};
	const struct check *c;

	(void)state;
	build_seed(&s);
	run(&s, 0, &l);
	assert_well_formed(&l);
	print_message("seed 109001: %zu checks, %zu passed, %zu failed\n", l.n, count(&l, NULL, 1),
	              count(&l, NULL, 0));
	dump_failed(&l);
	assert_int_equal(count(&l, "declared_income_equals_expenditure", -1), 1);
	c = find(&l, 1, "declared_income_equals_expenditure", "income_total/expense_total");
	assert_non_null(c);
	assert_false(c->passed);
	assert_int_equal(c->expected, 748030000); /* 收入总计 */
	assert_int_equal(c->actual, 648030000);   /* 支出总计 */
	assert_non_null(strstr(c->message, "表1"));
	assert_non_null(strstr(c->message, "收入总计 7480300.00 元"));
	assert_non_null(strstr(c->message, "支出总计 6480300.00 元"));
	assert_non_null(strstr(c->message, "不相等，相差 1000000.00 元"));
	/* the same mistake in table 2, and nothing else */
	assert_false(find(&l, 2, "total_equals_classes", "total/total")->passed);
	assert_false(find(&l, 2, "total_equals_classes", "total/income_subtotal")->passed);
	assert_false(find(&l, 2, "total_equals_classes", "total/other")->passed);
	/* the columns that add up are counted, not listed */
	assert_null(find(&l, 2, "total_equals_classes", "total/general_budget"));
	assert_true(find_aggregate(&l, 2, "total_equals_classes")->rows >= 1);
	assert_int_equal(find(&l, 2, "total_equals_classes", "total/other")->expected, 0);
	assert_int_equal(find(&l, 2, "total_equals_classes", "total/other")->actual, 100000000);
	assert_int_equal(count(&l, NULL, 0), 4);
	assert_true(count(&l, NULL, 1) >= 20);
	/* what the other tables say agrees with table 1 where it should */
	assert_true(find(&l, 1, "declared_income_vs_table2", "income_total")->passed);
	assert_true(find(&l, 1, "declared_expenditure_vs_table3", "expense_subtotal")->passed);
	assert_true(find(&l, 1, "declared_source_vs_table2", "other")->passed);
	assert_true(find(&l, 1, "declared_class_vs_table3", "206")->passed);
	assert_true(
	    find(&l, 4, "fiscal_income_equals_expenditure", "income_total/expense_total")->passed);
	assert_true(find(&l, 4, "fiscal_gov_fund_vs_table8", "gov_fund")->passed);
	assert_true(find(&l, 5, "gpb_basic_vs_table6", "basic")->passed);
	assert_int_equal(count(&l, "project_amount_positive", 1), 5);
	assert_int_equal(count(&l, "three_public_total", 1), 1);
	assert_int_equal(count(&l, "three_public_vehicle", 1), 1);
	check_list_free(&l);
	submission_free(&s);
}

/* A clean department passes everything; every kind of check is there. */
static void expect_all_pass(struct submission *s, const char *dept)
{
	static const char *const names[] = {
	    "subtotal_equals_children",
	    "total_equals_classes",
	    "row_total_equals_parts",
	    "basic_equals_personnel_public",
	    "total_equals_personnel_public",
	    "income_subtotal_equals_sources",
	    "three_public_vehicle",
	    "three_public_total",
	    "project_amount_positive",
	    "expense_subtotal_equals_classes",
	    "income_total_equals_parts",
	    "expense_total_equals_parts",
	    "declared_income_equals_expenditure",
	    "fiscal_income_equals_expenditure",
	    "declared_source_vs_table2",
	    "declared_income_subtotal_vs_table2",
	    "declared_carryover_vs_table2",
	    "declared_income_vs_table2",
	    "declared_expenditure_vs_table3",
	    "declared_class_vs_table3",
	    "fiscal_source_vs_table1",
	    "fiscal_expenditure_vs_tables",
	    "fiscal_general_budget_vs_table5",
	    "fiscal_gov_fund_vs_table8",
	    "fiscal_class_vs_tables",
	    "gpb_basic_vs_table6",
	};
	struct check_list l = {0};

	run(s, 0, &l);
	assert_well_formed(&l);
	print_message("%s: %zu checks, %zu passed, %zu failed\n", dept, l.n, count(&l, NULL, 1),
	              count(&l, NULL, 0));
	dump_failed(&l);
	assert_int_equal(count(&l, NULL, 0), 0);
	for (size_t i = 0; i < N(names); i++)
		if (!count(&l, names[i], 1))
			fail_msg("%s: no %s check", dept, names[i]);
	check_list_free(&l);
}

static void test_110001_all_pass(void **state)
{
	struct submission s;

	(void)state;
	build_caizheng(&s);
	expect_all_pass(&s, "110001");
	submission_free(&s);
}

static void test_110002_all_pass(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_all_pass(&s, "110002");
	submission_free(&s);
}

/* ---- 1. within classified tables ----------------------------------------- */

static void test_subtotal_equals_children(void **state)
{
	struct submission s;
	struct check c;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 3, "subtotal_equals_children", "20501/basic");
	expect_pass(&s, 3, "subtotal_equals_children", "205/total");
	set(&s, 3, "20501", "basic", 2360380000);
	c = expect_fail(&s, 3, "subtotal_equals_children", "20501/basic", 2360370000, 2360380000);
	assert_non_null(strstr(c.message, "表3 部门支出总表 第 5 行 20501 教育管理事务"));
	assert_non_null(strstr(c.message, "23603800.00 元"));
	assert_non_null(strstr(c.message, "其下级科目之和 23603700.00 元"));
	assert_non_null(strstr(c.message, "相差 100.00 元"));
	/* the 类 above now disagrees with its 款 too */
	expect_fail(&s, 3, "subtotal_equals_children", "205/basic", 2360380000, 2360370000);
	submission_free(&s);
	/* economic codes: 类 over 款 */
	build_jiaoyu(&s);
	expect_pass(&s, 6, "subtotal_equals_children", "302/public");
	bump(&s, 6, "30201", "public", 1);
	expect_fail(&s, 6, "subtotal_equals_children", "302/public", 279140001, 279140000);
	submission_free(&s);
}

static void test_total_equals_classes(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 3, "total_equals_classes", "total/basic");
	set(&s, 3, "total", "basic", 3024760000);
	expect_fail(&s, 3, "total_equals_classes", "total/basic", 3024750000, 3024760000);
	submission_free(&s);
	build_seed(&s);
	expect_pass(&s, 6, "total_equals_classes", "total/public");
	bump(&s, 6, "total", "public", -1);
	expect_fail(&s, 6, "total_equals_classes", "total/public", 23870000, 23869999);
	submission_free(&s);
}

/* A file of leaf rows only: no subtotal checks; the 合计 is the sum of leaves. */
static void test_leaf_only(void **state)
{
	static const char *const rows[] = {
	    "5|||合计|300.00|100.00|200.00",
	    "6||2010301|行政运行|100.00|100.00|",
	    "7||2010302|一般行政管理事务|200.00||200.00",
	};
	static const struct tbl t[] = {{3, "total basic project", rows, N(rows)}};
	struct submission s;

	(void)state;
	build(&s, "1", t, N(t), UNIT_YUAN, 0);
	expect_none(&s, "subtotal_equals_children");
	expect_pass(&s, 3, "total_equals_classes", "total/total");
	set(&s, 3, "2010302", "project", 19900);
	expect_fail(&s, 3, "total_equals_classes", "total/project", 19900, 20000);
	submission_free(&s);
}

static void test_row_total_equals_parts(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 3, "row_total_equals_parts", "2050101/total");
	expect_pass(&s, 5, "row_total_equals_parts", "total/total");
	expect_pass(&s, 8, "row_total_equals_parts", "2120801/total");
	expect_pass(&s, 2, "row_total_equals_parts", "2050101/total");
	bump(&s, 3, "2050101", "total", 10000);
	expect_fail(&s, 3, "row_total_equals_parts", "2050101/total", 2360370000, 2360380000);
	bump(&s, 8, "2120801", "project", 1);
	expect_fail(&s, 8, "row_total_equals_parts", "2120801/total", 751470001, 751470000);
	/* table 2: 合计 = 本年收入小计 + 上年结转结余 */
	set(&s, 2, "2050101", "carryover", 100);
	expect_fail(&s, 2, "row_total_equals_parts", "2050101/total", 2360370100, 2360370000);
	submission_free(&s);
}

/*
 * Row identities whose two sides are equal are one record per table and
 * check name, with their count; a row that fails is listed on its own and
 * no longer counted; table-level and cross-table checks stay listed.
 */
static void test_equal_rows_counted(void **state)
{
	struct check_list l = {0};
	const struct check *a;
	long before;

	(void)state;
	struct submission s;

	build_jiaoyu(&s);
	run(&s, 0, &l);
	assert_well_formed(&l);
	a = find_aggregate(&l, 3, "row_total_equals_parts");
	assert_non_null(a);
	before = a->rows;
	assert_true(before >= 3);
	assert_null(find(&l, 3, "row_total_equals_parts", "2050101/total"));
	/* the cross-table checks of table 1 against table 3 keep their own records */
	assert_true(count(&l, "declared_expenditure_vs_table3", 1) >= 1);
	bump(&s, 3, "2050101", "total", 10000);
	run(&s, 0, &l);
	assert_non_null(find(&l, 3, "row_total_equals_parts", "2050101/total"));
	a = find_aggregate(&l, 3, "row_total_equals_parts");
	assert_non_null(a);
	assert_int_equal(a->rows, before - 1);
	check_list_free(&l);
	submission_free(&s);
}

/* Optional expense-type columns take part in the row total. */
static void test_row_total_optional_parts(void **state)
{
	static const char *const rows[] = {
	    "5|||合计|100.00|50.00|30.00|20.00",
	    "6||2010301|行政运行|100.00|50.00|30.00|20.00",
	};
	static const struct tbl t[] = {{3, "total basic project upper_remit", rows, N(rows)}};
	struct submission s;

	(void)state;
	build(&s, "1", t, N(t), UNIT_YUAN, 0);
	expect_pass(&s, 3, "row_total_equals_parts", "2010301/total");
	set(&s, 3, "2010301", "upper_remit", 0);
	expect_fail(&s, 3, "row_total_equals_parts", "2010301/total", 8000, 10000);
	submission_free(&s);
}

static void test_income_subtotal_equals_sources(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 2, "income_subtotal_equals_sources", "total/income_subtotal");
	set(&s, 2, "2050101", "other", 100);
	expect_fail(&s, 2, "income_subtotal_equals_sources", "2050101/income_subtotal", 2360370100,
	            2360370000);
	submission_free(&s);
}

/*
 * A table 2 without an income_subtotal column: total = sources + carryover.
 * 财政拨款收入 printed beside its 其中 columns is not added twice.
 */
static void test_table2_variants(void **state)
{
	static const char *const nosub[] = {
	    "5|||合计|150.00|100.00|30.00|20.00",
	    "6||2010301|行政运行|150.00|100.00|30.00|20.00",
	};
	static const char *const fa[] = {
	    "5|||合计|130.00|130.00|100.00|80.00|20.00|30.00",
	    "6||2010301|行政运行|130.00|130.00|100.00|80.00|20.00|30.00",
	};
	static const struct tbl t1[] = {
	    {2, "total general_budget other carryover", nosub, N(nosub)}};
	static const struct tbl t2[] = {
	    {2, "total income_subtotal fiscal_appropriation general_budget gov_fund other", fa,
	     N(fa)}};
	static const char *const lines[] = {
	    "6|income|fiscal_appropriation|一、财政拨款收入|100.00",
	    "7|income|general_budget|其中：一般公共预算拨款收入|80.00",
	    "8|income|gov_fund|政府性基金预算拨款收入|20.00",
	    "9|income|other|二、其他收入|30.00",
	    "10|income|income_subtotal|本年收入合计|130.00",
	};
	static const struct tbl t1lines = {1, "amount", lines, N(lines)};
	struct submission s;

	(void)state;
	build(&s, "1", t1, N(t1), UNIT_YUAN, 0);
	expect_pass(&s, 2, "row_total_equals_parts", "2010301/total");
	expect_none(&s, "income_subtotal_equals_sources");
	set(&s, 2, "2010301", "carryover", 0);
	expect_fail(&s, 2, "row_total_equals_parts", "2010301/total", 13000, 15000);
	submission_free(&s);
	build(&s, "1", t2, N(t2), UNIT_YUAN, 0);
	for (size_t i = 0; i < N(lines); i++)
		add_text_row(&s, &t1lines, UNIT_YUAN, lines[i]);
	expect_pass(&s, 1, "income_subtotal_equals_sources", "income_subtotal");
	expect_pass(&s, 2, "income_subtotal_equals_sources", "2010301/income_subtotal");
	set(&s, 2, "2010301", "fiscal_appropriation", 9000);
	expect_fail(&s, 2, "income_subtotal_equals_sources", "2010301/income_subtotal", 12000,
	            13000);
	submission_free(&s);
}

static void test_basic_equals_personnel_public(void **state)
{
	static const char *const rows[] = {
	    "5|||合计|100.00|60.00|40.00|20.00|40.00",
	};
	static const struct tbl t[] = {{3, "total basic personnel public project", rows, N(rows)}};
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 5, "basic_equals_personnel_public", "2050101/basic");
	bump(&s, 5, "2050101", "public", 10000);
	expect_fail(&s, 5, "basic_equals_personnel_public", "2050101/basic", 2360380000,
	            2360370000);
	submission_free(&s);
	/* table 3 when it prints personnel and public */
	build(&s, "1", t, N(t), UNIT_YUAN, 0);
	expect_pass(&s, 3, "basic_equals_personnel_public", "total/basic");
	set(&s, 3, "total", "personnel", 0);
	expect_fail(&s, 3, "basic_equals_personnel_public", "total/basic", 2000, 6000);
	submission_free(&s);
}

static void test_total_equals_personnel_public(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 6, "total_equals_personnel_public", "30101/total");
	bump(&s, 6, "30101", "total", 1);
	expect_fail(&s, 6, "total_equals_personnel_public", "30101/total", 418260000, 418260001);
	submission_free(&s);
}

/* ---- 2. table 7, 3. table 9 ------------------------------------------- */

static void test_three_public(void **state)
{
	static const char *const split[] = {"6|three_public|||10.00|1.00|2.00|3.00|4.00"};
	static const struct tbl t[] = {
	    {7, "total outbound_travel vehicle_purchase vehicle_operation official_reception",
	     split, N(split)}};
	struct submission s;
	struct check c;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 7, "three_public_vehicle", "three_public/vehicle_total");
	expect_pass(&s, 7, "three_public_total", "three_public/total");
	bump(&s, 7, "@5", "vehicle_operation", 10000);
	c = expect_fail(&s, 7, "three_public_vehicle", "three_public/vehicle_total", 41990000,
	                41980000);
	assert_non_null(strstr(c.message, "公务用车购置及运行费"));
	expect_pass(&s, 7, "three_public_total", "three_public/total");
	bump(&s, 7, "@5", "vehicle_total", 10000);
	expect_fail(&s, 7, "three_public_total", "three_public/total", 41990000, 41980000);
	submission_free(&s);
	/* no 小计 column: the total is checked against purchase + operation */
	build(&s, "1", t, N(t), UNIT_YUAN, 0);
	expect_none(&s, "three_public_vehicle");
	expect_pass(&s, 7, "three_public_total", "three_public/total");
	set(&s, 7, "@6", "official_reception", 0);
	expect_fail(&s, 7, "three_public_total", "three_public/total", 600, 1000);
	submission_free(&s);
}

static void test_project_amount_positive(void **state)
{
	struct submission s;
	struct check_list l = {0};
	const struct check *c;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 9, "project_amount_positive", "line 4");
	set(&s, 9, "@4", "amount", 0);
	assert_non_null(sub_add_row(&s, 9, "t.csv", 20, "project", "", "没有金额的项目", 0));
	run(&s, 0, &l);
	assert_well_formed(&l);
	c = find(&l, 9, "project_amount_positive", "line 4");
	assert_false(c->passed);
	assert_int_equal(c->expected, 0);
	assert_int_equal(c->actual, 0);
	assert_non_null(strstr(c->message, "教育体育局专项工作经费项目1"));
	assert_non_null(strstr(c->message, "应大于 0"));
	c = find(&l, 9, "project_amount_positive", "line 20");
	assert_false(c->passed);
	assert_non_null(strstr(c->message, "没有填写资金总额"));
	assert_true(find(&l, 9, "project_amount_positive", "line 7")->passed);
	check_list_free(&l);
	submission_free(&s);
}

/* ---- tables 1 and 4 on their own ---------------------------------------- */

static void test_two_sided_own_lines(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 1, "declared_income_equals_expenditure", "income_total/expense_total");
	expect_pass(&s, 1, "income_subtotal_equals_sources", "income_subtotal");
	expect_pass(&s, 1, "expense_subtotal_equals_classes", "expense_subtotal");
	expect_pass(&s, 1, "income_total_equals_parts", "income_total");
	expect_pass(&s, 4, "expense_total_equals_parts", "expense_total");
	set(&s, 1, "other", "amount", 100);
	expect_fail(&s, 1, "income_subtotal_equals_sources", "income_subtotal", 6026220100,
	            6026220000);
	bump(&s, 1, "205", "amount", 100);
	expect_fail(&s, 1, "expense_subtotal_equals_classes", "expense_subtotal", 6026220100,
	            6026220000);
	set(&s, 1, "carryover", "amount", 100);
	expect_fail(&s, 1, "income_total_equals_parts", "income_total", 6026220100, 6026220000);
	set(&s, 4, "carry_forward", "amount", 100);
	expect_fail(&s, 4, "expense_total_equals_parts", "expense_total", 6026220100, 6026220000);
	bump(&s, 4, "expense_total", "amount", 1);
	expect_fail(&s, 4, "fiscal_income_equals_expenditure", "income_total/expense_total",
	            6026220000, 6026220001);
	submission_free(&s);
}

/* Table 1 printed by expense type rather than by 类. */
static void test_expense_types(void **state)
{
	static const char *const t1[] = {
	    "6|income|general_budget|一般公共预算拨款收入|100.00",
	    "6|expense|basic|基本支出|60.00",
	    "7|expense|project|项目支出|40.00",
	    "8|income|income_subtotal|本年收入合计|100.00",
	    "8|expense|expense_subtotal|本年支出合计|100.00",
	};
	static const char *const t3[] = {"5|||合计|100.00|60.00|40.00"};
	static const struct tbl t[] = {{1, "amount", t1, N(t1)},
	                               {3, "total basic project", t3, N(t3)}};
	struct submission s;

	(void)state;
	build(&s, "1", t, N(t), UNIT_YUAN, 0);
	expect_none(&s, "expense_subtotal_equals_classes");
	expect_none(&s, "declared_class_vs_table3");
	expect_pass(&s, 1, "expense_subtotal_equals_types", "expense_subtotal");
	expect_pass(&s, 1, "declared_expense_type_vs_table3", "basic");
	set(&s, 1, "project", "amount", 3000);
	expect_fail(&s, 1, "expense_subtotal_equals_types", "expense_subtotal", 9000, 10000);
	expect_fail(&s, 1, "declared_expense_type_vs_table3", "project", 4000, 3000);
	submission_free(&s);
}

/* ---- 4. across tables ----------------------------------------------------- */

static void test_table1_vs_table2(void **state)
{
	struct submission s;
	struct check c;

	(void)state;
	build_caizheng(&s);
	expect_pass(&s, 1, "declared_source_vs_table2", "gov_fund");
	expect_pass(&s, 1, "declared_carryover_vs_table2", "carryover");
	set(&s, 2, "total", "carryover", 124700100);
	expect_fail(&s, 1, "declared_carryover_vs_table2", "carryover", 124700100, 124700000);
	set(&s, 2, "total", "gov_fund", 9452170001);
	c = expect_fail(&s, 1, "declared_source_vs_table2", "gov_fund", 9452170001, 9452170000);
	assert_non_null(strstr(c.message, "表1 部门收支总表 第 7 行 二、政府性基金预算拨款收入"));
	assert_non_null(
	    strstr(c.message, "表2 部门收入总表 第 6 行 合计 的“政府性基金预算拨款收入”"));
	set(&s, 2, "total", "income_subtotal", 1);
	expect_fail(&s, 1, "declared_income_subtotal_vs_table2", "income_subtotal", 1, 17880720000);
	set(&s, 2, "total", "total", 2);
	expect_fail(&s, 1, "declared_income_vs_table2", "income_total", 2, 18005420000);
	submission_free(&s);
}

static void test_table1_vs_table3(void **state)
{
	struct submission s;
	struct sub_row *r;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 1, "declared_expenditure_vs_table3", "expense_subtotal");
	expect_pass(&s, 1, "declared_class_vs_table3", "205");
	bump(&s, 3, "total", "total", 1);
	expect_fail(&s, 1, "declared_expenditure_vs_table3", "expense_subtotal", 6026220001,
	            6026220000);
	bump(&s, 3, "205", "total", 1);
	expect_fail(&s, 1, "declared_class_vs_table3", "205", 3783310001, 3783310000);
	/* a 类 of table 3 that table 1 does not list */
	r = sub_add_row(&s, 3, "t.csv", 30, "leaf", "2130101", "行政运行", 3);
	assert_int_equal(sub_add_measure(r, "total", 500), 0);
	expect_fail(&s, 1, "declared_class_vs_table3", "213", 500, 0);
	submission_free(&s);
}

static void test_table4_cross(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 4, "fiscal_source_vs_table1", "general_budget");
	expect_pass(&s, 4, "fiscal_expenditure_vs_tables", "expense_subtotal");
	expect_pass(&s, 4, "fiscal_general_budget_vs_table5", "general_budget");
	expect_pass(&s, 4, "fiscal_gov_fund_vs_table8", "gov_fund");
	expect_pass(&s, 4, "fiscal_class_vs_tables", "212");
	expect_none(&s, "fiscal_state_capital_vs_table10");
	bump(&s, 4, "gov_fund", "amount", 1);
	expect_fail(&s, 4, "fiscal_source_vs_table1", "gov_fund", 751470000, 751470001);
	expect_fail(&s, 4, "fiscal_gov_fund_vs_table8", "gov_fund", 751470000, 751470001);
	bump(&s, 4, "expense_subtotal", "amount", 1);
	expect_fail(&s, 4, "fiscal_expenditure_vs_tables", "expense_subtotal", 6026220000,
	            6026220001);
	bump(&s, 4, "general_budget", "amount", -1);
	expect_fail(&s, 4, "fiscal_general_budget_vs_table5", "general_budget", 5274750000,
	            5274749999);
	bump(&s, 8, "212", "total", 1);
	expect_fail(&s, 4, "fiscal_class_vs_tables", "212", 751470001, 751470000);
	bump(&s, 5, "205", "total", 2);
	expect_fail(&s, 4, "fiscal_class_vs_tables", "205", 3783310002, 3783310000);
	submission_free(&s);
}

/* Without table 8 the department's 政府性基金 must be 0. */
static void test_gov_fund_without_table8(void **state)
{
	struct submission s;
	struct check c;

	(void)state;
	build_jiaoyu(&s);
	drop_table(&s, 8);
	c = expect_fail(&s, 4, "fiscal_gov_fund_vs_table8", "gov_fund", 0, 751470000);
	assert_non_null(strstr(c.message, "未报送"));
	submission_free(&s);
	build_seed(&s); /* table 8 present without rows: 0 */
	expect_pass(&s, 4, "fiscal_gov_fund_vs_table8", "gov_fund");
	set(&s, 4, "gov_fund", "amount", 100);
	expect_fail(&s, 4, "fiscal_gov_fund_vs_table8", "gov_fund", 0, 100);
	submission_free(&s);
}

static void test_state_capital_table10(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	s.present[10] = true; /* 本部门没有国有资本经营预算 */
	expect_pass(&s, 4, "fiscal_state_capital_vs_table10", "state_capital");
	set(&s, 4, "state_capital", "amount", 5);
	expect_fail(&s, 4, "fiscal_state_capital_vs_table10", "state_capital", 0, 5);
	submission_free(&s);
}

static void test_fiscal_expense_types(void **state)
{
	static const char *const t4[] = {
	    "6|expense|basic|基本支出|60.00",
	    "7|expense|project|项目支出|40.00",
	    "8|expense|expense_subtotal|本年支出合计|100.00",
	};
	static const char *const t5[] = {"5|||合计|70.00|50.00|20.00"};
	static const char *const t8[] = {"5|||合计|30.00|10.00|20.00"};
	static const struct tbl t[] = {{4, "amount", t4, N(t4)},
	                               {5, "total basic project", t5, N(t5)},
	                               {8, "total basic project", t8, N(t8)}};
	struct submission s;

	(void)state;
	build(&s, "1", t, N(t), UNIT_YUAN, 0);
	expect_pass(&s, 4, "fiscal_expense_type_vs_tables", "basic");
	expect_pass(&s, 4, "fiscal_expenditure_vs_tables", "expense_subtotal");
	set(&s, 8, "total", "project", 0);
	expect_fail(&s, 4, "fiscal_expense_type_vs_tables", "project", 2000, 4000);
	submission_free(&s);
}

static void test_gpb_basic_vs_table6(void **state)
{
	struct submission s;

	(void)state;
	build_jiaoyu(&s);
	expect_pass(&s, 5, "gpb_basic_vs_table6", "personnel");
	bump(&s, 6, "total", "personnel", 1);
	expect_fail(&s, 5, "gpb_basic_vs_table6", "personnel", 2704510001, 2704510000);
	bump(&s, 6, "total", "total", 1);
	expect_fail(&s, 5, "gpb_basic_vs_table6", "basic", 3024750001, 3024750000);
	submission_free(&s);
}

/* ---- skipping and tolerance ----------------------------------------------- */

/* A check is skipped only when its tables are absent. */
static void test_absent_tables(void **state)
{
	struct submission s;
	struct check_list l = {0};

	(void)state;
	submission_init(&s, 2023, "1");
	run(&s, 0, &l);
	assert_int_equal(l.n, 0);
	submission_free(&s);
	build_jiaoyu(&s); /* table 1 alone */
	for (int k = 2; k <= 10; k++)
		drop_table(&s, k);
	run(&s, 0, &l);
	assert_true(l.n > 0);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.c[i].kind, 1);
		assert_null(strstr(l.c[i].name, "_vs_"));
	}
	check_list_free(&l);
	submission_free(&s);
}

static void test_tolerance(void **state)
{
	struct submission s;
	struct check_list l = {0};
	const struct check *c;

	(void)state;
	build_jiaoyu(&s);
	bump(&s, 3, "total", "basic", 1);
	run(&s, 1, &l);
	c = find(&l, 3, "total_equals_classes", "total/basic");
	assert_true(c->passed);
	assert_int_equal(c->actual - c->expected, 1);
	assert_non_null(strstr(c->message, "相差 0.01 元，在容差以内"));
	run(&s, 0, &l);
	assert_false(find(&l, 3, "total_equals_classes", "total/basic")->passed);
	/* a negative tolerance is no tolerance */
	run(&s, -5, &l);
	assert_false(find(&l, 3, "total_equals_classes", "total/basic")->passed);
	check_list_free(&l);
	submission_free(&s);
}

/* checks_run appends to what the list holds already. */
static void test_appends(void **state)
{
	struct submission s;
	struct check_list l = {0};
	size_t n;

	(void)state;
	build_caizheng(&s);
	assert_int_equal(checks_run(&s, 0, &l), 0);
	n = l.n;
	assert_int_equal(checks_run(&s, 0, &l), 0);
	assert_int_equal(l.n, 2 * n);
	assert_string_equal(l.c[0].name, l.c[n].name);
	check_list_free(&l);
	submission_free(&s);
}

/* Extreme amounts neither overflow nor pass by wrapping. */
static void test_extreme_amounts(void **state)
{
	struct submission s;
	struct sub_row *r;
	struct check_list l = {0};

	(void)state;
	submission_init(&s, 2023, "1");
	r = sub_add_row(&s, 3, "t.csv", 5, "total", "", "合计", 0);
	assert_int_equal(sub_add_measure(r, "total", INT64_MIN), 0);
	r = sub_add_row(&s, 3, "t.csv", 6, "leaf", "2010301", "行政运行", 3);
	assert_int_equal(sub_add_measure(r, "total", INT64_MAX), 0);
	r = sub_add_row(&s, 3, "t.csv", 7, "leaf", "2010302", "一般行政管理事务", 3);
	assert_int_equal(sub_add_measure(r, "total", INT64_MAX), 0);
	run(&s, INT64_MAX - 1, &l);
	assert_int_equal(l.n, 1);
	assert_false(l.c[0].passed);
	check_list_free(&l);
	submission_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_model),
	    cmocka_unit_test(test_long_text),
	    cmocka_unit_test(test_seed_department),
	    cmocka_unit_test(test_110001_all_pass),
	    cmocka_unit_test(test_110002_all_pass),
	    cmocka_unit_test(test_subtotal_equals_children),
	    cmocka_unit_test(test_total_equals_classes),
	    cmocka_unit_test(test_leaf_only),
	    cmocka_unit_test(test_row_total_equals_parts),
	    cmocka_unit_test(test_equal_rows_counted),
	    cmocka_unit_test(test_row_total_optional_parts),
	    cmocka_unit_test(test_income_subtotal_equals_sources),
	    cmocka_unit_test(test_table2_variants),
	    cmocka_unit_test(test_basic_equals_personnel_public),
	    cmocka_unit_test(test_total_equals_personnel_public),
	    cmocka_unit_test(test_three_public),
	    cmocka_unit_test(test_project_amount_positive),
	    cmocka_unit_test(test_two_sided_own_lines),
	    cmocka_unit_test(test_expense_types),
	    cmocka_unit_test(test_table1_vs_table2),
	    cmocka_unit_test(test_table1_vs_table3),
	    cmocka_unit_test(test_table4_cross),
	    cmocka_unit_test(test_gov_fund_without_table8),
	    cmocka_unit_test(test_state_capital_table10),
	    cmocka_unit_test(test_fiscal_expense_types),
	    cmocka_unit_test(test_gpb_basic_vs_table6),
	    cmocka_unit_test(test_absent_tables),
	    cmocka_unit_test(test_tolerance),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_extreme_amounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
