/*
 * pages: the index and the walk over the departments (pages.h).
 */
#include "pages.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "html.h"
#include "numfmt.h"
#include "outdir.h"
#include "sheet.h"
#include "svg.h"

#define G(m, row, col) model_get(s, (m), (row), (col))

bool pages_safe_code(const char *code)
{
	size_t n = strlen(code);

	if (n < 1 || n > 60)
		return false;
	for (; *code; code++)
		if (!((*code >= '0' && *code <= '9') || (*code >= 'A' && *code <= 'Z') ||
		      (*code >= 'a' && *code <= 'z') || *code == '_' || *code == '-'))
			return false;
	return true;
}

static bool has_problem(const struct site *s, int d)
{
	return atoi(G(M_DEPTS, d, D_CHECKS_BUDGET)) + atoi(G(M_DEPTS, d, D_CHECKS_FINAL)) +
	           atoi(G(M_DEPTS, d, D_FILES_REJECTED)) + atoi(G(M_DEPTS, d, D_ROWS_REJECTED)) >
	       0;
}

/* ---- the last run ------------------------------------------------------------ */

/* A figure with its name; a value class "t" (a time) is set smaller. */
static void card_as(FILE *out, const char *key, const char *value, const char *sub, bool bad,
                    const char *value_class)
{
	fprintf(out, "<div class=\"card%s\"><div class=\"k\">", bad ? " bad" : "");
	esc_html(out, key);
	fprintf(out, "</div><div class=\"v%s\">", value_class);
	esc_html(out, value);
	fputs("</div>", out);
	if (sub && *sub) {
		fputs("<div class=\"s\">", out);
		esc_html(out, sub);
		fputs("</div>", out);
	}
	fputs("</div>\n", out);
}

static void card(FILE *out, const char *key, const char *value, const char *sub, bool bad)
{
	card_as(out, key, value, sub, bad, "");
}

/* The count columns of a M_RUN / M_RUN_TOTAL row. */
static void run_counts(FILE *out, const struct site *s, enum model_result m, int r)
{
	char b[NUMFMT_MAX];

	for (int c = RUN_FILES_SEEN; c <= RUN_ROWS_REJECTED; c++)
		html_num_cell(out, html_int(G(m, r, c), b));
}

static void orphans(FILE *out, const struct site *s)
{
	int n = model_rows(s, M_ORPHANS);

	fputs("<h3>不属于任何部门的拒绝</h3>\n", out);
	if (n == 0) {
		fputs("<p>无。</p>\n", out);
		return;
	}
	fputs("<p class=\"note\">这些文件无法确定所属部门（不在 年度/部门编码/ 文件夹中，"
	      "且表中的单位名称未在 config/departments.csv 登记），需由财政局自行处理。</p>\n",
	      out);
	sheet_rejects_table(out, s, M_ORPHANS, 0, n);
}

static void run_section(FILE *out, const struct site *s)
{
	char b[NUMFMT_MAX + 16];
	const char *code;
	bool bad;

	fputs("<section id=\"run\">\n<h2>最近一次加载</h2>\n", out);
	if (model_rows(s, M_RUN_TOTAL) == 0) {
		fputs("<p>数据库中还没有加载记录（请先运行 ./run.sh load）。</p>\n</section>\n",
		      out);
		return;
	}
	code = G(M_RUN_TOTAL, 0, RUN_EXIT);
	bad = !*code || strcmp(code, "0") != 0;
	fputs("<div class=\"cards\">\n", out);
	card(out, "运行编号", G(M_RUN_TOTAL, 0, RUN_ID), NULL, false);
	card_as(out, "开始时间", G(M_RUN_TOTAL, 0, RUN_STARTED), NULL, false, " t");
	card_as(out, "结束时间",
	        *G(M_RUN_TOTAL, 0, RUN_FINISHED) ? G(M_RUN_TOTAL, 0, RUN_FINISHED) : "—", NULL,
	        false, " t");
	snprintf(b, sizeof(b), "%s 秒",
	         *G(M_RUN_TOTAL, 0, RUN_SECONDS) ? G(M_RUN_TOTAL, 0, RUN_SECONDS) : "—");
	card(out, "用时", b, NULL, false);
	card(out, "退出状态", *code ? code : "—", G(M_RUN_TOTAL, 0, RUN_EXIT_TEXT), bad);
	card(out, "已加载文件", html_int(G(M_RUN_TOTAL, 0, RUN_FILES_LOADED), b), NULL, false);
	card(out, "未变化文件", html_int(G(M_RUN_TOTAL, 0, RUN_FILES_UNCHANGED), b), NULL, false);
	card(out, "被拒绝文件", html_int(G(M_RUN_TOTAL, 0, RUN_FILES_REJECTED), b), NULL,
	     strcmp(G(M_RUN_TOTAL, 0, RUN_FILES_REJECTED), "0") != 0);
	card(out, "加载行数", html_int(G(M_RUN_TOTAL, 0, RUN_ROWS_LOADED), b), NULL, false);
	card(out, "被拒绝行数", html_int(G(M_RUN_TOTAL, 0, RUN_ROWS_REJECTED), b), NULL,
	     strcmp(G(M_RUN_TOTAL, 0, RUN_ROWS_REJECTED), "0") != 0);
	if (strcmp(G(M_RUN_TOTAL, 0, RUN_WITHDRAWALS), "0") != 0)
		card(out, "撤回的提交", html_int(G(M_RUN_TOTAL, 0, RUN_WITHDRAWALS), b), NULL,
		     false);
	fputs("</div>\n<div class=\"scroll\"><table class=\"run\">\n<thead><tr><th>阶段</th>"
	      "<th>公开范围</th><th class=\"num\">读取文件</th><th class=\"num\">已加载</th>"
	      "<th class=\"num\">未变化</th><th class=\"num\">被拒绝</th><th class=\"num\">跳过"
	      "</th><th class=\"num\">读取行</th><th class=\"num\">加载行</th>"
	      "<th class=\"num\">被拒绝行</th></tr></thead>\n<tbody>\n",
	      out);
	for (int r = 0; r < model_rows(s, M_RUN); r++) {
		const char *st = html_stage(G(M_RUN, r, RUN_STAGE)),
		           *sc = html_scope(G(M_RUN, r, RUN_SCOPE));

		fputs("<tr>", out);
		html_text_cell(out, *st ? st : "未能识别");
		html_text_cell(out, *sc ? sc : "—");
		run_counts(out, s, M_RUN, r);
		fputs("</tr>\n", out);
	}
	fputs("<tr class=\"total\"><th colspan=\"2\">合计</th>", out);
	run_counts(out, s, M_RUN_TOTAL, 0);
	fputs("</tr>\n</tbody></table></div>\n", out);
	orphans(out, s);
	fputs("</section>\n", out);
}

/* ---- a year ------------------------------------------------------------------ */

/* Positions of the walk over the per-year results. */
struct year_walk {
	int classes, shares, exec_depts, exec_classes;
};

static void dept_table(FILE *out, const struct site *s, int begin, int end, bool final)
{
	char b[NUMFMT_MAX];

	fputs("<p class=\"swipe\">表格较宽，可左右滑动查看。</p>\n"
	      "<div class=\"scroll\"><table class=\"depts\">\n<thead><tr><th>部门编码</th>"
	      "<th>部门名称</th><th class=\"num\">收入总计</th><th class=\"num\">支出合计</th>"
	      "<th class=\"num\">基本支出</th><th class=\"num\">项目支出</th>",
	      out);
	if (final)
		fputs("<th class=\"num\">一般公共预算决算数</th><th class=\"num\">执行率</th>",
		      out);
	fputs("<th class=\"num\">未通过核对</th><th class=\"num\">被拒绝文件</th>"
	      "<th class=\"num\">被拒绝行</th><th>审核意见</th></tr></thead>\n<tbody>\n",
	      out);
	for (int d = begin; d < end; d++) {
		const char *code = G(M_DEPTS, d, D_CODE), *name = G(M_DEPTS, d, D_NAME);
		bool problem = has_problem(s, d);
		char n[32];

		fprintf(out, "<tr class=\"dept%s\" data-dept=\"", problem ? " problem" : "");
		esc_html(out, code);
		fputs("\">", out);
		html_text_cell(out, code);
		html_text_cell(out, *name ? name : "（名称未知）");
		html_num_cell(out, html_wan(G(M_DEPTS, d, D_REVENUE), b));
		html_num_cell(out, html_wan(G(M_DEPTS, d, D_EXPENDITURE), b));
		html_num_cell(out, html_wan(G(M_DEPTS, d, D_BASIC), b));
		html_num_cell(out, html_wan(G(M_DEPTS, d, D_PROJECT), b));
		if (final) {
			html_num_cell(out, html_wan(G(M_DEPTS, d, D_GPB_FINAL), b));
			html_num_cell(out, html_pct(G(M_DEPTS, d, D_GPB_RATE), b));
		}
		snprintf(n, sizeof(n), "%d",
		         atoi(G(M_DEPTS, d, D_CHECKS_BUDGET)) +
		             atoi(G(M_DEPTS, d, D_CHECKS_FINAL)));
		html_num_cell(out, html_int(n, b));
		html_num_cell(out, html_int(G(M_DEPTS, d, D_FILES_REJECTED), b));
		html_num_cell(out, html_int(G(M_DEPTS, d, D_ROWS_REJECTED), b));
		fputs("<td>", out);
		if (pages_safe_code(code)) {
			fputs("<a href=\"", out);
			esc_html(out, G(M_DEPTS, d, D_YEAR));
			putc('/', out);
			esc_html(out, code);
			fputs(".html\">查看</a>", out);
		} else {
			fputs("<span class=\"note\">编码不能用作文件名，未生成</span>", out);
		}
		if (problem)
			fputs(" <span class=\"tag\">需联系</span>", out);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

/* Storage for one chart's bars: labels and values built here. */
struct bars {
	struct svg_bar *v;
	char (*label)[320];
	char (*value)[NUMFMT_MAX + 48];
	int n;
};

static int bars_alloc(struct bars *b, int n)
{
	b->n = n;
	b->v = calloc((size_t)n + 1, sizeof(*b->v));
	b->label = calloc((size_t)n + 1, sizeof(*b->label));
	b->value = calloc((size_t)n + 1, sizeof(*b->value));
	return b->v && b->label && b->value ? 0 : -1;
}

static void bars_free(struct bars *b)
{
	free(b->v);
	free(b->label);
	free(b->value);
}

static void chart_box(FILE *out, const char *heading, const struct svg_chart *c, const char *note)
{
	fputs("<div class=\"chart-box\"><h3>", out);
	esc_html(out, heading);
	fputs("</h3>\n", out);
	if (c->n == 0)
		fputs("<p>无数据。</p>\n", out);
	else
		svg_bars(out, c);
	if (note)
		fputs(note, out);
	fputs("</div>\n", out);
}

static const char rate_legend[] =
    "<p class=\"legend\">虚线为 100%。<i style=\"background:#c77700\"></i>低于 90%"
    "<i style=\"background:#b8322a\"></i>超过 100%（超过 200% 的画满）</p>\n";

static void charts(FILE *out, const struct site *s, const char *year, struct year_walk *w)
{
	struct span {
		int b, e;
	} cl, sh, ed, ec;
	struct bars b;
	char id[64], tmp[NUMFMT_MAX], tmp2[NUMFMT_MAX];

	model_span(s, M_CLASSES, &w->classes, year, NULL, &cl.b, &cl.e);
	model_span(s, M_SHARES, &w->shares, year, NULL, &sh.b, &sh.e);
	model_span(s, M_EXEC_DEPTS, &w->exec_depts, year, NULL, &ed.b, &ed.e);
	model_span(s, M_EXEC_CLASSES, &w->exec_classes, year, NULL, &ec.b, &ec.e);
	fputs("<div class=\"charts\">\n", out);

	if (bars_alloc(&b, cl.e - cl.b) == 0) {
		for (int i = 0; i < b.n; i++) {
			int r = cl.b + i;

			snprintf(b.label[i], sizeof(b.label[i]), "%s %s", G(M_CLASSES, r, CL_CODE),
			         G(M_CLASSES, r, CL_NAME));
			snprintf(b.value[i], sizeof(b.value[i]), "%s 万元",
			         html_wan(G(M_CLASSES, r, CL_TOTAL), tmp));
			b.v[i] = (struct svg_bar){G(M_CLASSES, r, CL_CODE), b.label[i], b.value[i],
			                          atoi(G(M_CLASSES, r, CL_BAR)), NULL};
		}
		snprintf(id, sizeof(id), "chart-classes-%s", year);
		chart_box(
		    out, "支出按功能分类（类级，各部门合计，万元）",
		    &(struct svg_chart){id, "支出按功能分类类级，各部门合计，万元", -1, b.v, b.n},
		    "<p class=\"note\">预算表3；单位表在其上级部门已报送同表时不重复计入。</p>\n");
	}
	bars_free(&b);

	if (bars_alloc(&b, sh.e - sh.b) == 0) {
		for (int i = 0; i < b.n; i++) {
			int r = sh.b + i;
			const char *name = G(M_SHARES, r, SH_NAME);

			if (atoi(G(M_SHARES, r, SH_OTHERS)) > 0)
				snprintf(b.label[i], sizeof(b.label[i]), "其他 %s 个部门",
				         G(M_SHARES, r, SH_OTHERS));
			else
				snprintf(b.label[i], sizeof(b.label[i]), "%s",
				         *name ? name : G(M_SHARES, r, SH_DEPT));
			snprintf(b.value[i], sizeof(b.value[i]), "%s 万元 · %s%%",
			         html_wan(G(M_SHARES, r, SH_TOTAL), tmp),
			         html_int(G(M_SHARES, r, SH_PCT), tmp2));
			b.v[i] = (struct svg_bar){
			    *G(M_SHARES, r, SH_DEPT) ? G(M_SHARES, r, SH_DEPT) : NULL, b.label[i],
			    b.value[i], atoi(G(M_SHARES, r, SH_BAR)), NULL};
		}
		snprintf(id, sizeof(id), "chart-shares-%s", year);
		chart_box(out, "各部门支出占比（预算表3 支出合计）",
		          &(struct svg_chart){id, "各部门支出占全部部门支出的比例", -1, b.v, b.n},
		          b.n > 30
		              ? "<p class=\"note\">列出支出最多的 30 个部门，其余合为一项。</p>\n"
		              : NULL);
	}
	bars_free(&b);

	if (ed.e > ed.b && bars_alloc(&b, ed.e - ed.b) == 0) {
		int total = atoi(G(M_EXEC_DEPTS, ed.b, ED_COUNT));

		for (int i = 0; i < b.n; i++) {
			int r = ed.b + i;
			const char *name = G(M_EXEC_DEPTS, r, ED_NAME);

			snprintf(b.label[i], sizeof(b.label[i]), "%s",
			         *name ? name : G(M_EXEC_DEPTS, r, ED_DEPT));
			snprintf(b.value[i], sizeof(b.value[i]), "%s",
			         html_pct(G(M_EXEC_DEPTS, r, ED_RATE), tmp));
			b.v[i] = (struct svg_bar){G(M_EXEC_DEPTS, r, ED_DEPT), b.label[i],
			                          b.value[i], atoi(G(M_EXEC_DEPTS, r, ED_BAR)),
			                          G(M_EXEC_DEPTS, r, ED_TONE)};
		}
		snprintf(id, sizeof(id), "chart-exec-depts-%s", year);
		chart_box(
		    out, "一般公共预算财政拨款支出执行率（按部门）",
		    &(struct svg_chart){id, "各部门一般公共预算财政拨款支出执行率（决算数÷预算数）",
		                        atoi(G(M_EXEC_DEPTS, ed.b, ED_MARK)), b.v, b.n},
		    rate_legend);
		if (total > b.n)
			fprintf(out,
			        "<p class=\"note\">共 %d "
			        "个部门已加载决算，图中列出执行率最低和最高的各 "
			        "25 个，其余见上表。</p>\n",
			        total);
	}
	if (ed.e > ed.b)
		bars_free(&b);

	if (ec.e > ec.b && bars_alloc(&b, ec.e - ec.b) == 0) {
		for (int i = 0; i < b.n; i++) {
			int r = ec.b + i;
			const char *rate = G(M_EXEC_CLASSES, r, EC_RATE);

			snprintf(b.label[i], sizeof(b.label[i]), "%s %s",
			         G(M_EXEC_CLASSES, r, EC_CODE), G(M_EXEC_CLASSES, r, EC_NAME));
			if (*rate)
				snprintf(b.value[i], sizeof(b.value[i]), "%s", html_pct(rate, tmp));
			else
				snprintf(b.value[i], sizeof(b.value[i]), "无预算，决算 %s 万元",
				         html_wan(G(M_EXEC_CLASSES, r, EC_FINAL), tmp));
			b.v[i] = (struct svg_bar){G(M_EXEC_CLASSES, r, EC_CODE), b.label[i],
			                          b.value[i], atoi(G(M_EXEC_CLASSES, r, EC_BAR)),
			                          G(M_EXEC_CLASSES, r, EC_TONE)};
		}
		snprintf(id, sizeof(id), "chart-exec-classes-%s", year);
		chart_box(out, "一般公共预算财政拨款支出执行率（按类，各部门合计）",
		          &(struct svg_chart){id, "一般公共预算财政拨款支出执行率，按功能分类类级",
		                              atoi(G(M_EXEC_CLASSES, ec.b, EC_MARK)), b.v, b.n},
		          rate_legend);
	}
	if (ec.e > ec.b)
		bars_free(&b);
	fputs("</div>\n", out);
}

static void year_section(FILE *out, const struct site *s, int begin, int end, struct year_walk *w)
{
	const char *year = G(M_DEPTS, begin, D_YEAR);
	int problems = 0;
	bool final = false;

	for (int d = begin; d < end; d++) {
		problems += has_problem(s, d);
		final = final || strcmp(G(M_DEPTS, d, D_HAS_FINAL), "t") == 0;
	}
	fputs("<section class=\"year\" id=\"y", out);
	esc_html(out, year);
	fputs("\">\n<h2>", out);
	esc_html(out, year);
	fprintf(out, " 年度</h2>\n<p class=\"lead%s\">共 %d 个部门", problems ? " bad" : " good",
	        end - begin);
	if (problems)
		fprintf(
		    out,
		    "，其中 <strong>%d</strong> 个需要联系（有被拒绝的文件或行，或核对未通过），"
		    "见“审核意见”。</p>\n",
		    problems);
	else
		fputs("，均未发现问题。</p>\n", out);
	fputs("<h3>各部门收支（万元）</h3>\n", out);
	dept_table(out, s, begin, end, final);
	charts(out, s, year, w);
	fputs("</section>\n", out);
}

static void index_html(FILE *out, const struct site *s)
{
	struct year_walk w = {0, 0, 0, 0};
	int n = model_rows(s, M_DEPTS);

	html_begin(out, "部门预决算审核报告", "index");
	fputs("<h1>部门预决算审核报告</h1>\n<p class=\"meta\">数据截至 ", out);
	esc_html(out, G(M_NOW, 0, NOW_AT));
	fputs("（", out);
	esc_html(out, G(M_NOW, 0, NOW_TZ));
	fputs("）</p>\n", out);
	if (n > 0) {
		fputs("<nav><a href=\"#run\">最近一次加载</a>", out);
		for (int d = 0; d < n; d++) {
			const char *y = G(M_DEPTS, d, D_YEAR);

			if (d > 0 && strcmp(y, G(M_DEPTS, d - 1, D_YEAR)) == 0)
				continue;
			fputs("<a href=\"#y", out);
			esc_html(out, y);
			fputs("\">", out);
			esc_html(out, y);
			fputs(" 年度</a>", out);
		}
		fputs("</nav>\n", out);
	}
	run_section(out, s);
	if (n == 0)
		fputs("<h2>各部门</h2>\n<p>没有可显示的部门。</p>\n", out);
	for (int b = 0, e; b < n; b = e) {
		for (e = b + 1; e < n && strcmp(G(M_DEPTS, e, D_YEAR), G(M_DEPTS, b, D_YEAR)) == 0;
		     e++)
			;
		year_section(out, s, b, e, &w);
	}
	html_end(out, G(M_NOW, 0, NOW_AT), G(M_NOW, 0, NOW_TZ));
}

/* ---- the files --------------------------------------------------------------- */

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Write one file with fn; counts its bytes. */
static int write_file(const char *dir, const char *rel, void (*fn)(FILE *, const void *),
                      const void *arg, struct pages_stats *st, struct etl_err *err)
{
	struct outfile o;

	if (outfile_open(&o, dir, rel, err) < 0)
		return -1;
	fn(o.f, arg);
	if (outfile_commit(&o, err) < 0)
		return -1;
	st->bytes += file_size(o.path);
	return 0;
}

struct sheet_arg {
	const struct site *s;
	int dept;
	const struct sheet_spans *sp;
};

static void sheet_html_fn(FILE *out, const void *arg)
{
	const struct sheet_arg *a = arg;

	sheet_html(out, a->s, a->dept, a->sp);
}

static void sheet_csv_fn(FILE *out, const void *arg)
{
	const struct sheet_arg *a = arg;

	sheet_csv(out, a->s, a->dept, a->sp);
}

static void index_fn(FILE *out, const void *arg)
{
	index_html(out, arg);
}

int pages_write(const struct site *s, const char *dir, struct pages_stats *st, struct etl_err *err)
{
	int pos[4] = {0, 0, 0, 0}, n = model_rows(s, M_DEPTS);
	char sub[PATH_MAX], rel[160];

	memset(st, 0, sizeof(*st));
	if (outdir_make(dir, err) < 0)
		return -1;
	for (int d = 0; d < n; d++) {
		const char *year = G(M_DEPTS, d, D_YEAR), *code = G(M_DEPTS, d, D_CODE);
		struct sheet_spans sp;
		struct sheet_arg a = {s, d, &sp};

		if (d == 0 || strcmp(year, G(M_DEPTS, d - 1, D_YEAR)) != 0) {
			st->years++;
			snprintf(sub, sizeof(sub), "%s/%s", dir, year);
			if (outdir_make(sub, err) < 0)
				return -1;
		}
		model_span(s, M_REJECTS, &pos[0], year, code, &sp.rejects.begin, &sp.rejects.end);
		model_span(s, M_CHECKS, &pos[1], year, code, &sp.checks.begin, &sp.checks.end);
		model_span(s, M_DEPT_CLASSES, &pos[2], year, code, &sp.classes.begin,
		           &sp.classes.end);
		model_span(s, M_DEPT_EXEC, &pos[3], year, code, &sp.exec.begin, &sp.exec.end);
		if (!pages_safe_code(code)) {
			st->no_sheet++;
			continue;
		}
		snprintf(rel, sizeof(rel), "%s/%s.html", year, code);
		if (write_file(dir, rel, sheet_html_fn, &a, st, err) < 0)
			return -1;
		snprintf(rel, sizeof(rel), "%s/%s.csv", year, code);
		if (write_file(dir, rel, sheet_csv_fn, &a, st, err) < 0)
			return -1;
		st->sheets++;
	}
	return write_file(dir, "index.html", index_fn, s, st, err);
}
