/*
 * Unit tests of etl/common/paths.c: the <year>/<dept>/ rule shared by
 * extract and load, absolute and shown paths, table file names, and the
 * walk of a folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static void expect_key(const char *path, bool ok, int year, const char *dept)
{
	char d[PATHS_DEPT_MAX + 1];
	int y = -1;

	if (paths_submission_key(path, &y, d, sizeof(d)) != ok)
		fail_msg("%s: expected %s", path, ok ? "a submission" : "no submission");
	assert_int_equal(y, year);
	assert_string_equal(d, dept);
}

static void test_submission_key(void **state)
{
	char longdept[128];

	(void)state;
	expect_key("/data/2023/109001/表3.csv", true, 2023, "109001");
	expect_key("2023/109001/表3.csv", true, 2023, "109001");
	expect_key("/x/2023/dept_A-1/a.csv.gz", true, 2023, "dept_A-1");
	expect_key("109001/表3.csv", false, 0, "");
	expect_key("/2023/表3.csv", false, 0, "");
	expect_key("表3.csv", false, 0, "");
	expect_key("/x/1989/109001/a.csv", false, 0, "");
	expect_key("/x/2101/109001/a.csv", false, 0, "");
	expect_key("/x/20233/109001/a.csv", false, 0, "");
	expect_key("/x/2023/部门/a.csv", false, 0, "");
	expect_key("/x/2023/10 9/a.csv", false, 0, "");
	memset(longdept, '7', PATHS_DEPT_MAX);
	snprintf(longdept + PATHS_DEPT_MAX, sizeof(longdept) - PATHS_DEPT_MAX, "/a.csv");
	{
		char path[256], want[PATHS_DEPT_MAX + 1];

		snprintf(path, sizeof(path), "/x/2023/%s", longdept);
		memcpy(want, longdept, PATHS_DEPT_MAX);
		want[PATHS_DEPT_MAX] = '\0';
		expect_key(path, true, 2023, want);
		snprintf(path, sizeof(path), "/x/2023/7%s", longdept);
		expect_key(path, false, 0, "");
	}
}

static void test_absolute_shown(void **state)
{
	char abs[PATH_MAX];

	(void)state;
	paths_absolute("/home/u", "./2023/a.csv", abs, sizeof(abs));
	assert_string_equal(abs, "/home/u/2023/a.csv");
	paths_absolute("/home/u", "/etc/a.csv", abs, sizeof(abs));
	assert_string_equal(abs, "/etc/a.csv");
	paths_absolute("/", "a.csv", abs, sizeof(abs));
	assert_string_equal(abs, "/a.csv");
	paths_absolute("", "a.csv", abs, sizeof(abs));
	assert_string_equal(abs, "a.csv");
	assert_string_equal(paths_shown("/home/u", "/home/u/2023/a.csv"), "2023/a.csv");
	assert_string_equal(paths_shown("/home/u", "/home/user/a.csv"), "/home/user/a.csv");
	assert_string_equal(paths_shown("/", "/a.csv"), "/a.csv");
}

static void test_table_file(void **state)
{
	(void)state;
	assert_true(paths_is_table_file("a.csv"));
	assert_true(paths_is_table_file("A.CSV"));
	assert_true(paths_is_table_file("表3.csv.gz"));
	assert_true(paths_is_table_file("x.Csv.GZ"));
	assert_false(paths_is_table_file("a.csv.bak"));
	assert_false(paths_is_table_file("a.xlsx"));
	assert_false(paths_is_table_file("csv"));
}

static void touch(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
}

struct seen {
	char names[16][64];
	char problems[16][64];
	int n, nproblems;
};

static int collect(void *ctx, const char *path, long long bytes, const char *problem,
                   const char *detail)
{
	struct seen *s = ctx;
	const char *base = strrchr(path, '/');

	(void)bytes;
	(void)detail;
	if (problem && s->nproblems < 16)
		snprintf(s->problems[s->nproblems++], 64, "%s %s", problem, base ? base + 1 : path);
	else if (!problem && s->n < 16)
		snprintf(s->names[s->n++], 64, "%s", base ? base + 1 : path);
	return 0;
}

static int count(char list[][64], int n, const char *want)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += strcmp(list[i], want) == 0;
	return c;
}

static bool has(char list[][64], int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], want) == 0)
			return true;
	return false;
}

/*
 * Issue 14: a walk reads regular files only, each once; symlink loops end;
 * a symlink out of the tree is not followed; a .csv that is a pipe or a
 * link to a device is named, not read (it would block or never end).
 */
static void test_collect_links_and_specials(void **state)
{
	char root[] = "/tmp/test_paths.XXXXXX", outside[] = "/tmp/test_paths_out.XXXXXX";
	char p[PATH_MAX], q[PATH_MAX], cmd[PATH_MAX * 2];
	struct seen s = {0};

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(mkdtemp(outside));
	snprintf(p, sizeof(p), "%s/2023", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/2023/109001", root);
	assert_int_equal(mkdir(p, 0700), 0);
	touch(p, "t1.csv");
	/* a loop: 2023/109001/again -> 2023, and a second name for t1.csv */
	snprintf(q, sizeof(q), "%s/2023/109001/again", root);
	assert_int_equal(symlink("..", q), 0);
	snprintf(q, sizeof(q), "%s/2023/109001/alias.csv", root);
	assert_int_equal(symlink("t1.csv", q), 0);
	/* out of the tree */
	touch(outside, "secret.csv");
	snprintf(p, sizeof(p), "%s/secret.csv", outside);
	snprintf(q, sizeof(q), "%s/2023/out.csv", root);
	assert_int_equal(symlink(p, q), 0);
	/* specials */
	snprintf(q, sizeof(q), "%s/2023/fifo.csv", root);
	assert_int_equal(mkfifo(q, 0600), 0);
	snprintf(q, sizeof(q), "%s/2023/zero.csv", root);
	assert_int_equal(symlink("/dev/zero", q), 0);
	snprintf(q, sizeof(q), "%s/2023/dangling.csv", root);
	assert_int_equal(symlink("nothing-here.csv", q), 0);

	/* a hard link in another department's folder: a name of its own (cp -al) */
	snprintf(p, sizeof(p), "%s/2023/110001", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/2023/109001/t1.csv", root);
	snprintf(q, sizeof(q), "%s/2023/110001/t1.csv", root);
	assert_int_equal(link(p, q), 0);
	/* a file only a symlink reaches (it lies in a hidden folder): read once */
	snprintf(p, sizeof(p), "%s/.hidden", root);
	assert_int_equal(mkdir(p, 0700), 0);
	touch(p, "h.csv");
	snprintf(p, sizeof(p), "%s/.hidden/h.csv", root);
	snprintf(q, sizeof(q), "%s/2023/h1.csv", root);
	assert_int_equal(symlink(p, q), 0);
	snprintf(q, sizeof(q), "%s/2023/h2.csv", root);
	assert_int_equal(symlink(p, q), 0);

	assert_int_equal(paths_collect(root, collect, &s), 0);
	/* t1.csv under its two names, not again through the loop or the alias;
	 * h.csv once, through one of its two symlinks */
	assert_int_equal(s.n, 3);
	assert_int_equal(count(s.names, s.n, "t1.csv"), 2);
	assert_true(has(s.names, s.n, "h1.csv") != has(s.names, s.n, "h2.csv"));
	assert_true(has(s.problems, s.nproblems, "symlink_outside out.csv"));
	assert_true(has(s.problems, s.nproblems, "not_regular_file fifo.csv"));
	assert_true(has(s.problems, s.nproblems, "symlink_outside zero.csv"));
	assert_true(has(s.problems, s.nproblems, "broken_symlink dangling.csv"));
	assert_int_equal(s.nproblems, 4);
	/* a target the user names is read, wherever it is */
	memset(&s, 0, sizeof(s));
	snprintf(p, sizeof(p), "%s/2023/out.csv", root);
	assert_int_equal(paths_collect(p, collect, &s), 0);
	assert_int_equal(s.n, 1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root, outside);
	assert_int_equal(system(cmd), 0);
}

static void test_collect(void **state)
{
	char root[] = "/tmp/test_paths.XXXXXX", sub[PATH_MAX], hidden[PATH_MAX], cmd[PATH_MAX + 16];
	struct seen s = {0};

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(sub, sizeof(sub), "%s/2023", root);
	snprintf(hidden, sizeof(hidden), "%s/.git", root);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(hidden, 0700), 0);
	touch(root, "a.csv");
	touch(root, "notes.txt");
	touch(sub, "b.csv.gz");
	touch(hidden, "c.csv");
	assert_int_equal(paths_collect(root, collect, &s), 0);
	assert_int_equal(s.n, 2);
	/* a file named on the command line is taken whatever its name */
	{
		char txt[PATH_MAX];

		snprintf(txt, sizeof(txt), "%s/notes.txt", root);
		s.n = 0;
		assert_int_equal(paths_collect(txt, collect, &s), 0);
		assert_int_equal(s.n, 1);
	}
	s.n = 0;
	assert_int_equal(paths_collect("/nonexistent/budget-etl", collect, &s), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_submission_key),
	    cmocka_unit_test(test_absolute_shown),
	    cmocka_unit_test(test_table_file),
	    cmocka_unit_test(test_collect),
	    cmocka_unit_test(test_collect_links_and_specials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
