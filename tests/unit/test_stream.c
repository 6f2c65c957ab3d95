/*
 * Unit tests of etl/common/stream.c: COPY-text escaping round trip, the
 * record grammar, the typed decoders (F, E, C, amounts) that normalize and
 * load share, and the measure vocabulary (measure.def).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "stream.h"

/* Write one record with stream_write and read it back with stream_read. */
static int round_trip(char tag, int n, const char *const *in, struct stream_reader *r,
                      struct stream_rec *rec, char **buf, size_t *len)
{
	FILE *out = open_memstream(buf, len);
	FILE *back;
	struct etl_err err;

	stream_write(out, tag, n, in);
	fclose(out);
	back = fmemopen(*buf, *len, "r");
	stream_reader_init(r, back);
	etl_err_clear(&err);
	return stream_read(r, rec, &err);
}

static void test_escape_round_trip(void **state)
{
	const char *in[] = {"plain",       "tab\there", "line\nbreak", "cr\rhere",
	                    "back\\slash", "",          "合计\t\\n",   "\\t literally"};
	struct stream_reader r;
	struct stream_rec rec;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(round_trip('R', 8, in, &r, &rec, &buf, &len), 1);
	assert_int_equal(rec.tag, 'R');
	assert_int_equal(rec.nfields, 8);
	for (int i = 0; i < 8; i++)
		assert_string_equal(rec.field[i], in[i]);
	/* one physical line: nothing of the escaped text breaks it */
	assert_ptr_equal(memchr(buf, '\n', len), buf + len - 1);
	fclose(r.in);
	stream_reader_free(&r);
	free(buf);
}

static void test_grammar(void **state)
{
	const char *bad[] = {"X\tfoo\n", "Ffoo\n", "\n", "R\tok\0hidden\n"};
	const size_t badlen[] = {6, 5, 1, 14};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *in = fmemopen((void *)bad[i], badlen[i], "r");
		struct stream_reader r;
		struct stream_rec rec;
		struct etl_err err;

		stream_reader_init(&r, in);
		etl_err_clear(&err);
		assert_int_equal(stream_read(&r, &rec, &err), -1);
		assert_string_equal(err.reason, "bad_stream");
		assert_int_equal(err.line, 1);
		stream_reader_free(&r);
		fclose(in);
	}
}

static void test_field_cap(void **state)
{
	size_t n = STREAM_MAX_FIELDS + 1, len = 2 + 2 * n;
	char *line = malloc(len + 1), **fields = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	struct stream_rec rec;
	struct etl_err err;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		line[0] = 'R';
		for (size_t i = 0; i < n; i++) {
			line[1 + 2 * i] = '\t';
			line[2 + 2 * i] = 'x';
		}
		line[1 + 2 * n] = '\0';
		if (pass == 1)
			break;
		etl_err_clear(&err);
		assert_int_equal(stream_parse_line(line, 1 + 2 * n, 7, fields, &rec, &err), -1);
		assert_non_null(strstr(err.message, "more than"));
	}
	/* exactly the cap is fine (the line is parsed in place: built again) */
	line[1 + 2 * (n - 1)] = '\0';
	assert_int_equal(stream_parse_line(line, 1 + 2 * (n - 1), 7, fields, &rec, &err), 0);
	assert_int_equal(rec.nfields, STREAM_MAX_FIELDS);
	free(line);
	free(fields);
}

/* Parse a record from text (tab-separated, no escapes needed). */
static struct stream_rec parse(char *text, char **fields)
{
	struct stream_rec rec;
	struct etl_err err;

	etl_err_clear(&err);
	assert_int_equal(stream_parse_line(text, strlen(text), 1, fields, &rec, &err), 0);
	return rec;
}

static void test_end_decode(void **state)
{
	char **f = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	char ok[] = "E\t10\t4\t3\t2\t1\tok\t5000", rej[] = "E\t10\t4\t0\t0\t6\trejected\t0",
	     sum[] = "E\t10\t4\t3\t2\t2\tok\t0", neg[] = "E\t10\t4\t-1\t6\t1\tok\t0",
	     st[] = "E\t1\t1\t0\t0\t0\tmaybe\t0", few[] = "E\t1\t1",
	     skip[] = "E\t3\t3\t0\t0\t0\tskipped\t0", half[] = "E\t1\t1\t0\t0\t0\tok\tx";
	struct stream_rec rec;
	struct stream_end e;
	struct etl_err err;

	(void)state;
	rec = parse(ok, f);
	assert_int_equal(stream_end_decode(&rec, &e, &err), 0);
	assert_true(e.ok);
	assert_false(e.skipped);
	assert_int_equal(e.n[E_FACTS], 3);
	assert_int_equal(e.half_unit, 5000);
	rec = parse(skip, f); /* a table recognised and not loaded: neither ok nor rejected */
	assert_int_equal(stream_end_decode(&rec, &e, &err), 0);
	assert_false(e.ok);
	assert_true(e.skipped);
	rec = parse(half, f); /* the precision is a count too */
	assert_int_equal(stream_end_decode(&rec, &e, &err), -1);
	rec = parse(rej, f);
	assert_int_equal(stream_end_decode(&rec, &e, &err), 0);
	assert_false(e.ok);
	rec = parse(sum, f);
	assert_int_equal(stream_end_decode(&rec, &e, &err), -1);
	assert_string_equal(err.reason, "bad_accounting");
	rec = parse(neg, f); /* the "-1" of issue 14: a broken stream, never a count */
	assert_int_equal(stream_end_decode(&rec, &e, &err), -1);
	assert_string_equal(err.reason, "bad_stream");
	rec = parse(st, f);
	assert_int_equal(stream_end_decode(&rec, &e, &err), -1);
	rec = parse(few, f);
	assert_int_equal(stream_end_decode(&rec, &e, &err), -1);
	free(f);
}

static void test_end_write(void **state)
{
	struct stream_end e = {.n = {5, 2, 1, 1, 1}, .ok = true, .half_unit = 5000}, back;
	char *buf = NULL, **f = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct stream_rec rec;
	struct etl_err err;

	(void)state;
	stream_end_write(out, &e);
	fclose(out);
	assert_string_equal(buf, "E\t5\t2\t1\t1\t1\tok\t5000\n");
	buf[len - 1] = '\0';
	rec = parse(buf, f);
	assert_int_equal(stream_end_decode(&rec, &back, &err), 0);
	assert_memory_equal(back.n, e.n, sizeof(e.n));
	assert_int_equal(back.half_unit, 5000);
	free(buf);
	free(f);
}

static void test_file_decode(void **state)
{
	char **f = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	char good[] = "F\t/a/2023/1/x.csv\tab\t120\tutf-8\tnone\t2023\t1\t3\tbudget\twan\t局"
	              "\t2023年部门支出总表\t2023\t1\tdepartment",
	     kind[] = "F\tx\t\t1\tutf-8\tnone\t2023\t1\t11\tbudget\twan\t\t\t\t\t",
	     year[] = "F\tx\t\t1\tutf-8\tnone\t20x3\t1\t3\tbudget\twan\t\t\t\t\t",
	     stage[] = "F\tx\t\t1\tutf-8\tnone\t2023\t1\t3\tadjustment\twan\t\t\t\t\t",
	     scope[] = "F\tx\t\t1\tutf-8\tnone\t2023\t1\t3\tfinal\twan\t\t\t\t\tbureau",
	     few[] = "F\tx\t\t1";
	struct stream_rec rec;
	struct stream_file sf;
	struct etl_err err;

	(void)state;
	rec = parse(good, f);
	assert_int_equal(stream_file_decode(&rec, &sf, &err), 0);
	assert_int_equal(sf.year, 2023);
	assert_int_equal(sf.kind, 3);
	assert_int_equal(sf.folder_year, 2023);
	assert_int_equal(sf.bytes, 120);
	assert_string_equal(sf.field[F_DEPT_NAME], "局");
	rec = parse(kind, f);
	assert_int_equal(stream_file_decode(&rec, &sf, &err), -1);
	rec = parse(year, f);
	assert_int_equal(stream_file_decode(&rec, &sf, &err), -1);
	rec = parse(stage, f); /* the closed vocabularies: a stage or scope the schema refuses */
	assert_int_equal(stream_file_decode(&rec, &sf, &err), -1);
	rec = parse(scope, f);
	assert_int_equal(stream_file_decode(&rec, &sf, &err), -1);
	rec = parse(few, f);
	assert_int_equal(stream_file_decode(&rec, &sf, &err), -1);
	free(f);
}

static void test_check_decode(void **state)
{
	char **f = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	char good[] = "C\t2023\t109001\t1\tdeclared\t\t6480300.00\t7480300.00\tf\t不等\tfinal\t1\t"
	              "1000000.00\t",
	     rows[] = "C\t2023\t109001\t3\trow_sum\t(12 rows)\t\t\tt\t\tbudget\t12\t0.00\t",
	     boolean[] = "C\t2023\t109001\t1\tx\t\t1\t1\tmaybe\tm\tbudget\t1\t\t",
	     amount[] = "C\t2023\t109001\t1\tx\t\t1,000\t1\tt\tm\tbudget\t1\t\t",
	     zero[] = "C\t2023\t109001\t1\tx\t\t1\t1\tt\tm\tbudget\t0\t\t",
	     stage[] = "C\t2023\t109001\t1\tx\t\t1\t1\tt\tm\tdraft\t1\t\t",
	     allow[] = "C\t2023\t109001\t1\tx\t\t1\t1\tt\tm\tbudget\t1\t\t0.5万";
	struct stream_rec rec;
	struct stream_check c;
	struct etl_err err;

	(void)state;
	rec = parse(good, f);
	assert_int_equal(stream_check_decode(&rec, &c, &err), 0);
	assert_false(c.passed);
	assert_int_equal(c.year, 2023);
	assert_int_equal(c.rows, 1);
	assert_string_equal(c.field[C_STAGE], "final");
	rec = parse(rows, f); /* one record for twelve passed row identities */
	assert_int_equal(stream_check_decode(&rec, &c, &err), 0);
	assert_int_equal(c.rows, 12);
	rec = parse(zero, f);
	assert_int_equal(stream_check_decode(&rec, &c, &err), -1);
	rec = parse(stage, f);
	assert_int_equal(stream_check_decode(&rec, &c, &err), -1);
	rec = parse(allow, f);
	assert_int_equal(stream_check_decode(&rec, &c, &err), -1);
	rec = parse(boolean, f);
	assert_int_equal(stream_check_decode(&rec, &c, &err), -1);
	rec = parse(amount, f);
	assert_int_equal(stream_check_decode(&rec, &c, &err), -1);
	free(f);
}

static void test_amount_and_count(void **state)
{
	int64_t fen;

	(void)state;
	assert_int_equal(stream_amount("7480300.00", &fen), 0);
	assert_int_equal(fen, 748030000);
	assert_int_equal(stream_amount("-0.5", &fen), 0);
	assert_int_equal(fen, -50);
	/* what departments print is extract's business, never the stream's */
	assert_int_equal(stream_amount("1,000.00", &fen), -1);
	assert_int_equal(stream_amount("１２", &fen), -1);
	assert_int_equal(stream_amount(" 12", &fen), -1);
	/* the range of numeric(18,2) */
	assert_int_equal(stream_amount("9999999999999999.99", &fen), 0);
	assert_int_equal(stream_amount("10000000000000000.00", &fen), -1);
	assert_int_equal(stream_amount("92233720368547758.07", &fen), -1);
	assert_int_equal(stream_count("0"), 0);
	assert_int_equal(stream_count("42"), 42);
	assert_int_equal(stream_count("-1"), -1);
	assert_int_equal(stream_count(""), -1);
	assert_int_equal(stream_count("1x"), -1);
	assert_int_equal(stream_count("9999999999999999999"), -1);
}

static void test_kv(void **state)
{
	char **f = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	char r[] = "R\t7\tleaf\t2010301\t行政运行\tbasic=1.00\tbasics=2.00\tproject=";
	struct stream_rec rec;

	(void)state;
	rec = parse(r, f);
	assert_string_equal(stream_kv(&rec, "basic"), "1.00");
	assert_string_equal(stream_kv(&rec, "basics"), "2.00");
	assert_string_equal(stream_kv(&rec, "project"), "");
	assert_null(stream_kv(&rec, "personnel"));
	free(f);
}

static void test_measures(void **state)
{
	const struct measure_info *m;
	size_t amounts = 0;

	(void)state;
	assert_true(measure_is_amount("basic"));
	assert_true(measure_is_amount("carryover"));
	assert_false(measure_is_amount("supervisor"));
	assert_false(measure_is_amount("income_total"));
	assert_false(measure_is_amount("nonsense"));
	assert_string_equal(measure_name("outbound_travel"), "因公出国（境）费");
	assert_string_equal(measure_name("nonsense"), "nonsense");
	assert_non_null(measure_findn("basic=12", 5));
	assert_null(measure_findn("basi", 4));
	/* keys are unique */
	for (size_t i = 0; (m = measure_at(i)); i++) {
		amounts += m->cls == MEASURE_AMOUNT;
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(measure_at(j)->key, m->key);
	}
	assert_true(amounts >= 27);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_round_trip),
	    cmocka_unit_test(test_grammar),
	    cmocka_unit_test(test_field_cap),
	    cmocka_unit_test(test_end_decode),
	    cmocka_unit_test(test_end_write),
	    cmocka_unit_test(test_file_decode),
	    cmocka_unit_test(test_check_decode),
	    cmocka_unit_test(test_amount_and_count),
	    cmocka_unit_test(test_kv),
	    cmocka_unit_test(test_measures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
