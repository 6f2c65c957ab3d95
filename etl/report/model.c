/*
 * model: the report's queries on schema mart (model.h).
 *
 * $1 is the year (--year) or NULL for every year.  Every query reads mart
 * only: the report runs with budget_reader's rights.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define YEAR_FILTER(col) "($1::smallint IS NULL OR " col " = $1::smallint)"

/* The order of every per-department result (model.h). */
#define DEPT_ORDER "fiscal_year DESC, dept_code COLLATE \"C\""

static const char *const query_name[M_COUNT] = {
    "the time",
    "the last run",
    "the last run's totals",
    "rejects of no department",
    "departments",
    "function classes",
    "department shares",
    "execution per department",
    "execution per class",
    "classes per department",
    "execution per department and class",
    "rejects",
    "failed checks",
};

static const char *const query_sql[M_COUNT] = {
    /* M_NOW */
    "SELECT to_char(now(), 'YYYY-MM-DD HH24:MI:SS'), current_setting('TimeZone')",

    /* M_RUN */
    "SELECT run_id::text, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'),"
    "       coalesce(to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"
    "       coalesce(exit_code::text, ''), exit_text,"
    "       coalesce(round(extract(epoch FROM finished_at - started_at)::numeric, 1)::text, ''),"
    "       coalesce(stage, ''), coalesce(publication_scope, ''),"
    "       files_seen, files_loaded, files_unchanged, files_rejected, files_skipped,"
    "       rows_read, rows_loaded, rows_rejected, withdrawals"
    " FROM mart.run_summary WHERE last_run"
    " ORDER BY stage NULLS LAST, publication_scope NULLS LAST",

    /* M_RUN_TOTAL: the run's totals in the columns of M_RUN */
    "SELECT run_id::text, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'),"
    "       coalesce(to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"
    "       coalesce(exit_code::text, ''), exit_text,"
    "       coalesce(round(extract(epoch FROM finished_at - started_at)::numeric, 1)::text, ''),"
    "       '', '', sum(files_seen), sum(files_loaded), sum(files_unchanged),"
    "       sum(files_rejected), sum(files_skipped), sum(rows_read), sum(rows_loaded),"
    "       sum(rows_rejected), max(withdrawals)"
    " FROM mart.run_summary WHERE last_run"
    " GROUP BY run_id, started_at, finished_at, exit_code, exit_text",

    /* M_ORPHANS */
    "SELECT coalesce(fiscal_year::text, ''), coalesce(dept_code, ''), coalesce(stage, ''),"
    "       coalesce(table_title, ''), file_name, file_path, coalesce(line::text, ''),"
    "       coalesce(column_name, ''), coalesce(raw_value, ''), reason, reason_text,"
    "       message, coalesce(file_status, ''), run_id::text"
    " FROM mart.rejects"
    " WHERE (fiscal_year IS NULL OR dept_code IS NULL)"
    "   AND run_id = (SELECT max(run_id) FROM mart.run_summary)"
    "  "
    " ORDER BY file_path, line NULLS LAST, reject_id",

    /*
     * M_DEPTS: every department of a year with anything to show; each view
     * read once (materialized), the keys taken from what was read
     */
    "WITH dy AS MATERIALIZED ("
    "    SELECT * FROM mart.department_year WHERE " YEAR_FILTER(
        "fiscal_year") "), de AS MATERIALIZED ("
                       "    SELECT * FROM mart.department_execution WHERE " YEAR_FILTER(
                           "fiscal_year") "), rj AS MATERIALIZED ("
                                          "    SELECT fiscal_year, dept_code, max(dept_name) AS "
                                          "dept_name, max(region) AS region,"
                                          "           count(DISTINCT file_path) FILTER (WHERE "
                                          "file_status = 'rejected') AS files,"
                                          "           count(*) FILTER (WHERE line IS NOT NULL) AS "
                                          "rows"
                                          "    FROM mart.rejects WHERE fiscal_year IS NOT NULL AND "
                                          "dept_code IS NOT NULL"
                                          "      AND " YEAR_FILTER(
                                              "fiscal_year") "    GROUP BY fiscal_year, dept_code"
                                                             "), fc AS MATERIALIZED ("
                                                             "    SELECT fiscal_year, dept_code, "
                                                             "max(dept_name) AS dept_name, "
                                                             "max(region) AS region,"
                                                             "           count(*) FILTER (WHERE "
                                                             "stage <> 'final') AS budget,"
                                                             "           count(*) FILTER (WHERE "
                                                             "stage = 'final') AS final"
                                                             "    FROM mart.failed_checks WHERE "
                                                             "fiscal_year IS NOT NULL AND "
                                                             "dept_code IS NOT NULL"
                                                             "      AND " YEAR_FILTER(
                                                                 "fiscal_year") "    GROUP BY "
                                                                                "fiscal_year, "
                                                                                "dept_code"
                                                                                "), keys AS ("
                                                                                "    SELECT "
                                                                                "fiscal_year, "
                                                                                "dept_code FROM dy "
                                                                                "UNION SELECT "
                                                                                "fiscal_year, "
                                                                                "dept_code FROM de"
                                                                                "    UNION SELECT "
                                                                                "fiscal_year, "
                                                                                "dept_code FROM rj "
                                                                                "UNION SELECT "
                                                                                "fiscal_year, "
                                                                                "dept_code FROM fc"
                                                                                ")"
                                                                                " SELECT "
                                                                                "k.fiscal_year::"
                                                                                "text, k.dept_code,"
                                                                                "        "
                                                                                "coalesce(dy.dept_"
                                                                                "name, "
                                                                                "de.dept_name, "
                                                                                "fc.dept_name, "
                                                                                "rj.dept_name, ''),"
                                                                                "        "
                                                                                "coalesce(dy."
                                                                                "region, "
                                                                                "de.region, "
                                                                                "fc.region, "
                                                                                "rj.region, ''),"
                                                                                "        "
                                                                                "dy.revenue_total::"
                                                                                "text, "
                                                                                "dy.expenditure_"
                                                                                "total::text, "
                                                                                "dy.basic_total::"
                                                                                "text,"
                                                                                "        "
                                                                                "dy.project_total::"
                                                                                "text, "
                                                                                "de.budget_total::"
                                                                                "text, "
                                                                                "de.final_total::"
                                                                                "text,"
                                                                                "        "
                                                                                "de.execution_rate:"
                                                                                ":text,"
                                                                                "        "
                                                                                "coalesce(fc."
                                                                                "budget, 0)::text, "
                                                                                "coalesce(fc.final,"
                                                                                " 0)::text,"
                                                                                "        "
                                                                                "coalesce(rj.files,"
                                                                                " 0)::text, "
                                                                                "coalesce(rj.rows, "
                                                                                "0)::text,"
                                                                                "        CASE WHEN "
                                                                                "de.final_total IS "
                                                                                "NOT NULL THEN 't' "
                                                                                "ELSE 'f' END"
                                                                                " FROM keys k"
                                                                                " LEFT JOIN dy ON "
                                                                                "dy.fiscal_year = "
                                                                                "k.fiscal_year AND "
                                                                                "dy.dept_code = "
                                                                                "k.dept_code"
                                                                                " LEFT JOIN de ON "
                                                                                "de.fiscal_year = "
                                                                                "k.fiscal_year AND "
                                                                                "de.dept_code = "
                                                                                "k.dept_code"
                                                                                " LEFT JOIN rj ON "
                                                                                "rj.fiscal_year = "
                                                                                "k.fiscal_year AND "
                                                                                "rj.dept_code = "
                                                                                "k.dept_code"
                                                                                " LEFT JOIN fc ON "
                                                                                "fc.fiscal_year = "
                                                                                "k.fiscal_year AND "
                                                                                "fc.dept_code = "
                                                                                "k.dept_code"
                                                                                " ORDER BY "
                                                                                "k.fiscal_year "
                                                                                "DESC, k.dept_code "
                                                                                "COLLATE \"C\"",

    /* M_CLASSES: 类 across departments and regions */
    "WITH c AS ("
    "    SELECT fiscal_year, code, min(name) AS name, sum(total_amount) AS total"
    "    FROM mart.function_rollup"
    "    WHERE level = '类' AND " YEAR_FILTER(
        "fiscal_year") " GROUP BY fiscal_year, code"
                       ")"
                       " SELECT fiscal_year::text, code, coalesce(name, ''), "
                       "total::numeric(18,2)::text,"
                       "        greatest(0, coalesce(round(10000 * total / nullif(max(total)"
                       "            OVER (PARTITION BY fiscal_year), 0)), 0))::integer::text"
                       " FROM c ORDER BY fiscal_year DESC, code",

    /* M_SHARES: the 30 largest departments of a year, and the others as one */
    "WITH d AS ("
    "    SELECT fiscal_year, dept_code, dept_name, expenditure_total AS total,"
    "           sum(expenditure_total) OVER (PARTITION BY fiscal_year) AS year_total,"
    "           row_number() OVER (PARTITION BY fiscal_year"
    "                              ORDER BY expenditure_total DESC, dept_code COLLATE \"C\") AS "
    "rank"
    "    FROM mart.department_year"
    "    WHERE expenditure_total > 0 AND " YEAR_FILTER(
        "fiscal_year") "), t AS ("
                       "    SELECT fiscal_year, rank, dept_code, dept_name, total, year_total, 0 "
                       "AS others"
                       "    FROM d WHERE rank <= 30"
                       "    UNION ALL"
                       "    SELECT fiscal_year, 31, NULL, NULL, sum(total), min(year_total), "
                       "count(*)"
                       "    FROM d WHERE rank > 30 GROUP BY fiscal_year"
                       ")"
                       " SELECT fiscal_year::text, rank::text, coalesce(dept_code, ''), "
                       "coalesce(dept_name, ''),"
                       "        total::numeric(18,2)::text, round(100 * total / year_total, "
                       "2)::text,"
                       "        greatest(0, round(10000 * total / nullif(max(total)"
                       "            OVER (PARTITION BY fiscal_year), 0)))::integer::text, "
                       "others::text"
                       " FROM t ORDER BY fiscal_year DESC, rank",

    /* M_EXEC_DEPTS: every rate, or the 25 lowest and 25 highest of a year */
    "WITH e AS ("
    "    SELECT fiscal_year, dept_code, dept_name, execution_rate AS rate,"
    "           row_number() OVER (PARTITION BY fiscal_year"
    "                              ORDER BY execution_rate, dept_code COLLATE \"C\") AS lo,"
    "           row_number() OVER (PARTITION BY fiscal_year"
    "                              ORDER BY execution_rate DESC, dept_code COLLATE \"C\") AS hi,"
    "           count(*) OVER (PARTITION BY fiscal_year) AS n,"
    "           greatest(1.1, least(2, max(execution_rate) OVER (PARTITION BY fiscal_year)))"
    "               AS scale"
    "    FROM mart.department_execution"
    "    WHERE execution_rate IS NOT NULL AND " YEAR_FILTER(
        "fiscal_year") ")"
                       " SELECT fiscal_year::text, dept_code, coalesce(dept_name, ''), rate::text,"
                       "        greatest(0, round(10000 * least(rate, scale) / "
                       "scale))::integer::text,"
                       "        round(10000 / scale)::integer::text, n::text,"
                       "        CASE WHEN rate < 0.9 THEN 'low' WHEN rate > 1 THEN 'high' ELSE '' "
                       "END"
                       " FROM e WHERE n <= 50 OR lo <= 25 OR hi <= 25"
                       " ORDER BY fiscal_year DESC, rate, dept_code COLLATE \"C\"",

    /* M_EXEC_CLASSES: the general budget (table 5) per 类 across departments */
    "WITH c AS ("
    "    SELECT fiscal_year, code, min(name) AS name, sum(budget_total) AS budget,"
    "           sum(final_total) AS final"
    "    FROM mart.execution_rollup"
    "    WHERE level = '类' AND scope = 'general_budget' AND " YEAR_FILTER(
        "fiscal_year") "    GROUP BY fiscal_year, code"
                       "), r AS (SELECT *, round(final / nullif(budget, 0), 4) AS rate FROM c"
                       "), s AS (SELECT *, greatest(1.1, least(2, max(rate) OVER (PARTITION BY "
                       "fiscal_year)))"
                       "             AS scale FROM r)"
                       " SELECT fiscal_year::text, code, coalesce(name, ''), rate::text,"
                       "        coalesce(greatest(0, round(10000 * least(rate, scale) / scale)), "
                       "0)::integer::text,"
                       "        round(10000 / scale)::integer::text, budget::numeric(18,2)::text,"
                       "        final::numeric(18,2)::text, CASE WHEN rate < 0.9 THEN 'low' WHEN "
                       "rate > 1 THEN 'high' ELSE '' END"
                       " FROM s ORDER BY fiscal_year DESC, code",

    /* M_DEPT_CLASSES: a department's expenditure (table 3) by 类 */
    "WITH c AS ("
    "    SELECT fiscal_year, dept_code, class_code, min(class_name) AS name,"
    "           sum(total_amount) AS total"
    "    FROM mart.expenditure_by_function WHERE " YEAR_FILTER(
        "fiscal_year") "    GROUP BY fiscal_year, dept_code, class_code"
                       ")"
                       " SELECT fiscal_year::text, dept_code, class_code, coalesce(name, ''),"
                       "        total::numeric(18,2)::text,"
                       "        greatest(0, coalesce(round(10000 * total / nullif(max(total)"
                       "            OVER (PARTITION BY fiscal_year, dept_code), 0)), "
                       "0))::integer::text"
                       " FROM c ORDER BY " DEPT_ORDER ", class_code",

    /*
     * M_DEPT_EXEC: a department's general budget (table 5) executed, by 类:
     * its table 5 of both stages where both are loaded; the sums per 类 of
     * mart.execution_by_function's general_budget rows, read from the two
     * table 5 views, which costs a tenth
     */
    "WITH both_loaded AS ("
    "    SELECT fiscal_year, dept_code FROM mart.department_execution"
    "    WHERE budget_total IS NOT NULL AND final_total IS NOT NULL"
    "      AND " YEAR_FILTER(
        "fiscal_year") "), b AS ("
                       "    SELECT g.fiscal_year, g.dept_code, g.class_code, min(g.class_name) AS "
                       "name,"
                       "           sum(g.total_amount) AS budget"
                       "    FROM mart.gpb_expenditure_by_function g JOIN both_loaded USING "
                       "(fiscal_year, dept_code)"
                       "    GROUP BY g.fiscal_year, g.dept_code, g.class_code"
                       "), f AS ("
                       "    SELECT g.fiscal_year, g.dept_code, g.class_code, min(g.class_name) AS "
                       "name,"
                       "           sum(g.total_amount) AS final"
                       "    FROM mart.final_gpb_expenditure_by_function g"
                       "    JOIN both_loaded USING (fiscal_year, dept_code)"
                       "    GROUP BY g.fiscal_year, g.dept_code, g.class_code"
                       "), c AS ("
                       "    SELECT fiscal_year, dept_code, class_code, coalesce(b.name, f.name) AS "
                       "name,"
                       "           coalesce(b.budget, 0) AS budget, coalesce(f.final, 0) AS final"
                       "    FROM b FULL JOIN f USING (fiscal_year, dept_code, class_code)"
                       "), r AS (SELECT *, round(final / nullif(budget, 0), 4) AS rate FROM c"
                       "), s AS (SELECT *, greatest(1.1, least(2, max(rate)"
                       "             OVER (PARTITION BY fiscal_year, dept_code))) AS scale FROM r)"
                       " SELECT fiscal_year::text, dept_code, class_code, coalesce(name, ''), "
                       "rate::text,"
                       "        coalesce(greatest(0, round(10000 * least(rate, scale) / scale)), "
                       "0)::integer::text,"
                       "        round(10000 / scale)::integer::text, budget::numeric(18,2)::text,"
                       "        final::numeric(18,2)::text,"
                       "        CASE WHEN rate < 0.9 THEN 'low' WHEN rate > 1 THEN 'high' ELSE '' "
                       "END"
                       " FROM s ORDER BY " DEPT_ORDER ", class_code",

    /* M_REJECTS */
    "SELECT fiscal_year::text, dept_code, coalesce(stage, ''), coalesce(table_title, ''),"
    "       file_name, file_path, coalesce(line::text, ''), coalesce(column_name, ''),"
    "       coalesce(raw_value, ''), reason, reason_text, message,"
    "       coalesce(file_status, ''), run_id::text"
    " FROM mart.rejects"
    " WHERE fiscal_year IS NOT NULL AND dept_code IS NOT NULL AND " YEAR_FILTER(
        "fiscal_year") " ORDER BY " DEPT_ORDER ", file_path, line NULLS LAST, reject_id",

    /* M_CHECKS */
    "SELECT fiscal_year::text, dept_code, stage, coalesce(table_title, ''), check_name,"
    "       coalesce(subject, ''), expected::text, actual::text, difference::text,"
    "       coalesce(message, ''), row_count::text"
    " FROM mart.failed_checks"
    " WHERE fiscal_year IS NOT NULL AND dept_code IS NOT NULL AND " YEAR_FILTER(
        "fiscal_year") " ORDER BY " DEPT_ORDER ", stage, table_kind NULLS LAST, check_id",
};

int model_read(struct site *s, struct pgr *c, const char *year, struct etl_err *err)
{
	const char *params[1] = {year};

	memset(s, 0, sizeof(*s));
	s->year = year;
	for (int m = 0; m < M_COUNT; m++) {
		/* the run and the time are the same for every year; the rest take $1 */
		int n = m == M_NOW || m == M_RUN || m == M_RUN_TOTAL || m == M_ORPHANS ? 0 : 1;

		if (pgr_query(c, query_name[m], query_sql[m], n, params, &s->r[m], err) < 0)
			return -1;
	}
	return 0;
}

void model_free(struct site *s)
{
	for (int m = 0; m < M_COUNT; m++) {
		if (s->r[m])
			PQclear(s->r[m]);
		s->r[m] = NULL;
	}
}

int model_rows(const struct site *s, enum model_result m)
{
	return s->r[m] ? PQntuples(s->r[m]) : 0;
}

const char *model_get(const struct site *s, enum model_result m, int row, int col)
{
	if (!s->r[m] || row < 0 || row >= PQntuples(s->r[m]) || col >= PQnfields(s->r[m]))
		return "";
	return PQgetvalue(s->r[m], row, col);
}

bool model_null(const struct site *s, enum model_result m, int row, int col)
{
	if (!s->r[m] || row < 0 || row >= PQntuples(s->r[m]) || col >= PQnfields(s->r[m]))
		return true;
	return PQgetisnull(s->r[m], row, col);
}

/*
 * Order of (year, dept) against the walk's key: years descending, then
 * departments in byte order; dept NULL compares the year only.
 */
static int cmp_key(const char *ry, const char *rd, const char *year, const char *dept)
{
	long a = strtol(ry, NULL, 10), b = strtol(year, NULL, 10);
	int c;

	if (a != b)
		return a > b ? -1 : 1;
	if (!dept)
		return 0;
	c = strcmp(rd, dept);
	return c < 0 ? -1 : c > 0;
}

void model_span(const struct site *s, enum model_result m, int *pos, const char *year,
                const char *dept, int *begin, int *end)
{
	int n = model_rows(s, m);

	/* the year is column 0 and the department column 1 of every walked result */
	while (*pos < n &&
	       cmp_key(model_get(s, m, *pos, 0), model_get(s, m, *pos, 1), year, dept) < 0)
		(*pos)++;
	*begin = *pos;
	while (*pos < n &&
	       cmp_key(model_get(s, m, *pos, 0), model_get(s, m, *pos, 1), year, dept) == 0)
		(*pos)++;
	*end = *pos;
}
