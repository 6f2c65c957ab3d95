/*
 * Unit tests of etl/config.c: etl.conf parsing, departments.csv parsing and
 * the order in which the database conninfo is chosen.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amount.h"
#include "config.h"

/* etl.conf ------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct etl_config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.dsn, "");
	assert_string_equal(cfg.province, "江西省");
	assert_string_equal(cfg.city, "南昌市");
	assert_string_equal(cfg.district, "西湖区");
	assert_string_equal(cfg.unit_type, "行政");
	assert_int_equal(cfg.tolerance_fen, 0);
}

static void test_conf_values(void **state)
{
	struct etl_config cfg;
	struct etl_err err;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load_string(&cfg,
	                                    "; comment\n"
	                                    "[database]\n"
	                                    "dsn = host=db port=5433 dbname=budget\n"
	                                    "[defaults]\n"
	                                    "province = 上海市\n"
	                                    "city = 上海市\n"
	                                    "district = 黄浦区\n"
	                                    "unit_type = 事业\n"
	                                    "[checks]\n"
	                                    "tolerance = 0.5\n",
	                                    "etl.conf", &err),
	                 0);
	assert_string_equal(cfg.dsn, "host=db port=5433 dbname=budget");
	assert_string_equal(cfg.province, "上海市");
	assert_string_equal(cfg.district, "黄浦区");
	assert_string_equal(cfg.unit_type, "事业");
	assert_int_equal(cfg.tolerance_fen, 50);
	assert_string_equal(cfg.unknown, "");
}

/* An empty dsn keeps "no database configured"; unknown keys are only noted. */
static void test_conf_empty_and_unknown(void **state)
{
	struct etl_config cfg;
	struct etl_err err;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load_string(&cfg, "[database]\ndsn =\n[extract]\nmax_bytes = 9\n",
	                                    "etl.conf", &err),
	                 0);
	assert_string_equal(cfg.dsn, "");
	assert_string_equal(cfg.unknown, "extract.max_bytes");
	assert_string_equal(cfg.province, "江西省");
}

static void expect_conf_error(const char *text, long line, const char *needle)
{
	struct etl_config cfg;
	struct etl_err err;

	config_defaults(&cfg);
	etl_err_clear(&err);
	assert_int_equal(config_load_string(&cfg, text, "etl.conf", &err), -1);
	assert_string_equal(err.reason, "bad_config");
	assert_int_equal(err.line, line);
	if (!strstr(err.message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

static void test_conf_errors(void **state)
{
	(void)state;
	expect_conf_error("[defaults]\nunit_type = 部门\n", 2, "unit_type must be");
	expect_conf_error("[checks]\ntolerance = 0.001\n", 2, "tolerance");
	expect_conf_error("[checks]\ntolerance = -1\n", 2, "tolerance");
	expect_conf_error("[checks]\n\ntolerance = 1e3\n", 3, "tolerance");
	expect_conf_error("[database]\nthis line has no equals sign\n", 2, "etl.conf:2");
}

static void test_conf_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	struct etl_config cfg;
	struct etl_err err;
	bool found = true;
	int fd;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/etl.conf", &found, &err), 0);
	assert_false(found);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, "[defaults]\ncity = 九江市\n", 27) == 27);
	close(fd);
	assert_int_equal(config_load(&cfg, path, &found, &err), 0);
	assert_true(found);
	assert_string_equal(cfg.city, "九江市");
	unlink(path);
}

static void test_parse_yuan(void **state)
{
	int64_t fen = -1;

	(void)state;
	assert_int_equal(amount_parse_exact("0", &fen), 0);
	assert_int_equal(fen, 0);
	assert_int_equal(amount_parse_exact("7480300.00", &fen), 0);
	assert_int_equal(fen, 748030000);
	assert_int_equal(amount_parse_exact("12.5", &fen), 0);
	assert_int_equal(fen, 1250);
	assert_int_equal(amount_parse_exact("9999999999999999.99", &fen), 0);
	assert_int_equal(fen, INT64_C(999999999999999999));
	assert_int_equal(amount_parse_exact("10000000000000000", &fen), -1);
	assert_int_equal(amount_parse_exact("", &fen), -1);
	assert_int_equal(amount_parse_exact(".5", &fen), -1);
	assert_int_equal(amount_parse_exact("5.", &fen), -1);
	assert_int_equal(amount_parse_exact("1,000", &fen), -1);
	assert_int_equal(amount_parse_exact("-1", &fen), 0);
	assert_int_equal(fen, -100);
	assert_int_equal(amount_parse_exact("--1", &fen), -1);
}

/* departments.csv --------------------------------------------------------------- */

static void test_departments(void **state)
{
	static const char csv[] =
	    "\xEF\xBB\xBF"
	    "dept_code,dept_name,province,city,district,unit_type\r\n"
	    "# a comment line\r\n"
	    "109001,南昌市西湖区政务服务数据管理局,江西省,南昌市,西湖区,行政\r\n"
	    "\r\n"
	    "110002,\"教育体育局, 西湖区\",江西省,南昌市,西湖区,事业\r\n";
	struct dept_registry reg = {0};
	struct etl_err err;
	const struct department *d;
	char region[128];

	(void)state;
	assert_int_equal(dept_registry_parse(&reg, csv, sizeof(csv) - 1, "departments.csv", &err),
	                 0);
	assert_int_equal(reg.n, 2);
	d = dept_find(&reg, "110002");
	assert_non_null(d);
	assert_string_equal(d->name, "教育体育局, 西湖区");
	assert_string_equal(d->unit_type, "事业");
	assert_null(dept_find(&reg, "999999"));
	d = dept_find(&reg, "109001");
	assert_non_null(d);
	assert_string_equal(
	    dept_region_code(d->province, d->city, d->district, region, sizeof(region)),
	    "江西省/南昌市/西湖区");
	dept_registry_free(&reg);
	assert_int_equal(reg.n, 0);
}

static void expect_dept_error(const char *csv, long line, const char *needle)
{
	struct dept_registry reg = {0};
	struct etl_err err;

	etl_err_clear(&err);
	assert_int_equal(dept_registry_parse(&reg, csv, strlen(csv), "departments.csv", &err), -1);
	assert_string_equal(err.reason, "bad_config");
	assert_int_equal(err.line, line);
	assert_null(reg.dept);
	if (!strstr(err.message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

#define HDR "dept_code,dept_name,province,city,district,unit_type\n"

static void test_departments_errors(void **state)
{
	(void)state;
	expect_dept_error("code,name\n", 1, "header must be");
	expect_dept_error("", 1, "no header");
	expect_dept_error(HDR "10900A,某局,江西省,南昌市,西湖区,行政\n", 2, "not a code");
	expect_dept_error(HDR "109001,某局,江西省,南昌市,西湖区\n", 2, "5 cells");
	expect_dept_error(HDR "109001,,江西省,南昌市,西湖区,行政\n", 2, "dept_name is empty");
	expect_dept_error(HDR "109001,某局,江西省,南昌市,西湖区,部门\n", 2, "unit_type");
	expect_dept_error(HDR "109001,甲局,江西省,南昌市,西湖区,行政\n"
	                      "\n"
	                      "109001,乙局,江西省,南昌市,西湖区,行政\n",
	                  4, "listed twice");
	expect_dept_error(HDR "109001,\"unterminated,江西省,南昌市,西湖区,行政\n", 2,
	                  "departments.csv:2");
}

static void test_departments_missing_file(void **state)
{
	struct dept_registry reg = {0};
	struct etl_err err;
	bool found = true;

	(void)state;
	assert_int_equal(dept_registry_load(&reg, "/nonexistent/departments.csv", &found, &err), 0);
	assert_false(found);
	assert_int_equal(reg.n, 0);
}

/* DSN order ------------------------------------------------------------------------ */

/* A fake environment: NAME=value strings, switched per test. */
static const char *const *fake_env;

static char *fake_getenv(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *e = fake_env; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return (char *)*e + n + 1;
	return NULL;
}

static enum dsn_source resolve(const char *option, const char *const *env, const char *conf,
                               const char **dsn)
{
	struct etl_config cfg;

	config_defaults(&cfg);
	snprintf(cfg.dsn, sizeof(cfg.dsn), "%s", conf);
	fake_env = env;
	return config_resolve_dsn(option, fake_getenv, &cfg, dsn);
}

static void test_dsn_order(void **state)
{
	static const char *const all[] = {"ETL_DSN=etl", "PGHOST=/tmp", "ETL_EMBEDDED_DSN=emb",
	                                  NULL};
	static const char *const pg_emb[] = {"PGDATABASE=x", "ETL_EMBEDDED_DSN=emb", NULL};
	static const char *const emb[] = {"ETL_EMBEDDED_DSN=emb", NULL};
	static const char *const empties[] = {
	    "ETL_DSN=", "PGHOST=", "PGUSER=", "ETL_EMBEDDED_DSN=", NULL};
	static const char *const service[] = {"PGSERVICE=budget", NULL};
	const char *dsn;

	(void)state;
	assert_int_equal(resolve("host=opt", all, "host=conf", &dsn), DSN_OPTION);
	assert_string_equal(dsn, "host=opt");
	assert_int_equal(resolve(NULL, all, "host=conf", &dsn), DSN_ETL_ENV);
	assert_string_equal(dsn, "etl");
	assert_int_equal(resolve("", pg_emb, "host=conf", &dsn), DSN_PG_ENV);
	assert_string_equal(dsn, "");
	assert_int_equal(resolve(NULL, service, "", &dsn), DSN_PG_ENV);
	assert_int_equal(resolve(NULL, emb, "host=conf", &dsn), DSN_CONFIG);
	assert_string_equal(dsn, "host=conf");
	assert_int_equal(resolve(NULL, emb, "", &dsn), DSN_EMBEDDED);
	assert_string_equal(dsn, "emb");
	/* empty values count as unset everywhere */
	assert_int_equal(resolve(NULL, empties, "", &dsn), DSN_NONE);
	assert_string_equal(dsn, "");
	assert_int_equal(resolve(NULL, NULL, "", &dsn), DSN_NONE);
	assert_string_equal(dsn_source_name(DSN_EMBEDDED), "embedded cluster");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_conf_values),
	    cmocka_unit_test(test_conf_empty_and_unknown),
	    cmocka_unit_test(test_conf_errors),
	    cmocka_unit_test(test_conf_file),
	    cmocka_unit_test(test_parse_yuan),
	    cmocka_unit_test(test_departments),
	    cmocka_unit_test(test_departments_errors),
	    cmocka_unit_test(test_departments_missing_file),
	    cmocka_unit_test(test_dsn_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
