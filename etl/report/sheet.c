/*
 * sheet: the department feedback sheet, HTML and CSV (sheet.h).
 */
#include "sheet.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "html.h"
#include "numfmt.h"
#include "svg.h"

#define G(m, row, col) model_get(s, (m), (row), (col))

/* The department's name, or words saying it is not known. */
static const char *dept_name(const struct site *s, int d)
{
	const char *n = G(M_DEPTS, d, D_NAME);

	return *n ? n : "（名称未知）";
}

/* "决算 表3 部门支出总表" or "表3 …" or the stage alone, escaped. */
static void stage_table(FILE *out, const char *stage, const char *table)
{
	const char *st = html_stage(stage);

	if (*table) {
		esc_html(out, table);
		if (strcmp(stage, "final") != 0 && *st) {
			fputs("<span class=\"code\">（", out);
			esc_html(out, st);
			fputs("）</span>", out);
		}
	} else {
		esc_html(out, *st ? st : "—");
	}
}

void sheet_rejects_table(FILE *out, const struct site *s, enum model_result m, int begin, int end)
{
	char b[NUMFMT_MAX];

	fputs("<div class=\"scroll\"><table class=\"rejects stack\">\n<thead><tr><th>文件</th>"
	      "<th>表</th><th class=\"num\">行</th><th>列</th><th>原始内容</th><th>原因</th>"
	      "</tr></thead>\n<tbody>\n",
	      out);
	for (int i = begin; i < end; i++) {
		const char *raw = G(m, i, RJ_RAW);

		fputs("<tr>", out);
		html_td(out, NULL, "文件");
		fputs("<strong>", out);
		esc_html(out, G(m, i, RJ_FILE_NAME));
		fputs("</strong><span class=\"path\">", out);
		esc_html(out, G(m, i, RJ_FILE_PATH));
		fputs("</span></td>", out);
		html_td(out, NULL, "表");
		stage_table(out, G(m, i, RJ_STAGE), G(m, i, RJ_TABLE));
		fputs("</td>", out);
		html_td(out, "num", "行");
		fputs(*G(m, i, RJ_LINE) ? html_int(G(m, i, RJ_LINE), b) : "整个文件", out);
		fputs("</td>", out);
		html_td(out, "col", "列");
		esc_html(out, G(m, i, RJ_COLUMN));
		fputs("</td>", out);
		html_td(out, NULL, "原始内容");
		if (*raw) {
			fputs("<code class=\"raw\">", out);
			esc_html(out, raw);
			fputs("</code>", out);
		}
		fputs("</td>", out);
		html_td(out, NULL, "原因");
		fputs("<strong>", out);
		esc_html(out, G(m, i, RJ_REASON_TEXT));
		fputs("</strong><br>", out);
		esc_html(out, G(m, i, RJ_MESSAGE));
		fputs(" <span class=\"code\">", out);
		esc_html(out, G(m, i, RJ_REASON));
		fputs("</span></td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

static void rejects_table(FILE *out, const struct site *s, const struct sheet_span *sp)
{
	fputs("<h2>一、被拒绝的文件和行</h2>\n", out);
	if (sp->begin == sp->end)
		fputs("<p>无。所有文件均已读取。</p>\n", out);
	else
		sheet_rejects_table(out, s, M_REJECTS, sp->begin, sp->end);
}

static void checks_table(FILE *out, const struct site *s, const struct sheet_span *sp)
{
	fputs("<h2>二、未通过的核对</h2>\n", out);
	if (sp->begin == sp->end) {
		fputs("<p>无。各表内及表间的勾稽关系均已核对通过。</p>\n", out);
		return;
	}
	fputs("<div class=\"scroll\"><table class=\"checks "
	      "stack\">\n<thead><tr><th>表</th><th>核对内容"
	      "</th><th class=\"num\">应为</th><th class=\"num\">实际</th>"
	      "<th class=\"num\">差额（实际−应为）</th></tr></thead>\n<tbody>\n",
	      out);
	for (int i = sp->begin; i < sp->end; i++) {
		fputs("<tr>", out);
		html_td(out, NULL, "表");
		stage_table(out, G(M_CHECKS, i, CK_STAGE), G(M_CHECKS, i, CK_TABLE));
		fputs("</td>", out);
		html_td(out, NULL, "核对内容");
		esc_html(out, G(M_CHECKS, i, CK_MESSAGE));
		fputs(" <span class=\"code\">", out);
		esc_html(out, G(M_CHECKS, i, CK_NAME));
		if (*G(M_CHECKS, i, CK_SUBJECT)) {
			fputs(" · ", out);
			esc_html(out, G(M_CHECKS, i, CK_SUBJECT));
		}
		fputs("</span></td>", out);
		html_amount_cell(out, "应为", G(M_CHECKS, i, CK_EXPECTED));
		html_amount_cell(out, "实际", G(M_CHECKS, i, CK_ACTUAL));
		html_amount_cell(out, "差额", G(M_CHECKS, i, CK_DIFFERENCE));
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

static void total_row(FILE *out, const char *label, const char *yuan)
{
	char a[NUMFMT_MAX], b[NUMFMT_MAX];

	fputs("<tr><th>", out);
	esc_html(out, label);
	fputs("</th>", out);
	html_num_cell(out, html_wan(yuan, a));
	html_num_cell(out, html_yuan(yuan, b));
	fputs("</tr>\n", out);
}

static void totals_table(FILE *out, const struct site *s, int d)
{
	char b[NUMFMT_MAX];
	bool final = strcmp(G(M_DEPTS, d, D_HAS_FINAL), "t") == 0;

	fputs("<h2>三、部门合计</h2>\n<div class=\"scroll\"><table class=\"totals\">\n"
	      "<thead><tr><th>项目</th><th class=\"num\">万元</th><th class=\"num\">元</th></tr>"
	      "</thead>\n<tbody>\n",
	      out);
	total_row(out, "收入总计（预算表1）", G(M_DEPTS, d, D_REVENUE));
	total_row(out, "支出合计（预算表3）", G(M_DEPTS, d, D_EXPENDITURE));
	total_row(out, "其中：基本支出", G(M_DEPTS, d, D_BASIC));
	total_row(out, "其中：项目支出", G(M_DEPTS, d, D_PROJECT));
	if (final) {
		total_row(out, "一般公共预算财政拨款支出：预算数", G(M_DEPTS, d, D_GPB_BUDGET));
		total_row(out, "一般公共预算财政拨款支出：决算数", G(M_DEPTS, d, D_GPB_FINAL));
		fputs("<tr><th>执行率（决算数÷预算数）</th>", out);
		html_num_cell(out, html_pct(G(M_DEPTS, d, D_GPB_RATE), b));
		fputs("<td></td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	if (!*G(M_DEPTS, d, D_EXPENDITURE))
		fputs("<p class=\"note\">“—”：该表未加载（被拒绝或未报送）。</p>\n", out);
}

/* The department's expenditure by 类, and its execution by 类. */
static void charts(FILE *out, const struct site *s, const struct sheet_spans *sp)
{
	int n = sp->classes.end - sp->classes.begin, ne = sp->exec.end - sp->exec.begin;
	struct svg_bar *bars = calloc((size_t)(n > ne ? n : ne) + 1, sizeof(*bars));
	char(*val)[NUMFMT_MAX + 16] = calloc((size_t)(n > ne ? n : ne) + 1, sizeof(*val));
	char(*lab)[320] = calloc((size_t)(n > ne ? n : ne) + 1, sizeof(*lab));
	char id[96], b[NUMFMT_MAX];

	fputs("<h2>四、支出功能分类（类级）</h2>\n", out);
	if (!bars || !val || !lab) {
		fputs("<p>（内存不足，未绘制图表）</p>\n", out);
		goto out;
	}
	if (n == 0) {
		fputs("<p>无数据（预算表3未加载）。</p>\n", out);
	} else {
		for (int i = 0; i < n; i++) {
			int r = sp->classes.begin + i;

			snprintf(lab[i], sizeof(lab[i]), "%s %s", G(M_DEPT_CLASSES, r, DC_CODE),
			         G(M_DEPT_CLASSES, r, DC_NAME));
			snprintf(val[i], sizeof(val[i]), "%s 万元",
			         html_wan(G(M_DEPT_CLASSES, r, DC_TOTAL), b));
			bars[i] = (struct svg_bar){G(M_DEPT_CLASSES, r, DC_CODE), lab[i], val[i],
			                           atoi(G(M_DEPT_CLASSES, r, DC_BAR)), NULL};
		}
		snprintf(id, sizeof(id), "chart-dept-classes");
		svg_bars(out, &(struct svg_chart){id, "本部门支出（预算表3）按功能分类类级，万元",
		                                  -1, bars, n});
	}
	if (ne > 0) {
		int mark = atoi(G(M_DEPT_EXEC, sp->exec.begin, DE_MARK));

		fputs("<h3>一般公共预算财政拨款支出执行率（按类）</h3>\n", out);
		for (int i = 0; i < ne; i++) {
			int r = sp->exec.begin + i;
			const char *rate = G(M_DEPT_EXEC, r, DE_RATE);

			snprintf(lab[i], sizeof(lab[i]), "%s %s", G(M_DEPT_EXEC, r, DE_CODE),
			         G(M_DEPT_EXEC, r, DE_NAME));
			if (*rate)
				snprintf(val[i], sizeof(val[i]), "%s", html_pct(rate, b));
			else
				snprintf(val[i], sizeof(val[i]), "无预算，决算 %s 万元",
				         html_wan(G(M_DEPT_EXEC, r, DE_FINAL), b));
			bars[i] = (struct svg_bar){G(M_DEPT_EXEC, r, DE_CODE), lab[i], val[i],
			                           atoi(G(M_DEPT_EXEC, r, DE_BAR)),
			                           G(M_DEPT_EXEC, r, DE_TONE)};
		}
		svg_bars(out,
		         &(struct svg_chart){"chart-dept-exec",
		                             "本部门一般公共预算财政拨款支出执行率，按功能分类类级",
		                             mark, bars, ne});
		fputs(
		    "<p class=\"legend\">虚线为 100%。<i style=\"background:#c77700\"></i>低于 90%"
		    "<i style=\"background:#b8322a\"></i>超过 100%</p>\n",
		    out);
	}
out:
	free(bars);
	free(val);
	free(lab);
}

void sheet_html(FILE *out, const struct site *s, int d, const struct sheet_spans *sp)
{
	const char *year = G(M_DEPTS, d, D_YEAR), *code = G(M_DEPTS, d, D_CODE);
	int nfiles = atoi(G(M_DEPTS, d, D_FILES_REJECTED)),
	    nrows = atoi(G(M_DEPTS, d, D_ROWS_REJECTED)),
	    nchecks = sp->checks.end - sp->checks.begin;
	char title[512];

	snprintf(title, sizeof(title), "审核意见 · %s（%s）· %s 年度", dept_name(s, d), code, year);
	html_begin(out, title, "sheet");
	fputs("<nav class=\"noprint\"><a href=\"../index.html\">← 返回总览</a>"
	      "<a href=\"",
	      out);
	esc_html(out, code);
	fputs(".csv\">下载 CSV（Excel）</a></nav>\n<h1>审核意见</h1>\n<p class=\"meta\"><strong>",
	      out);
	esc_html(out, dept_name(s, d));
	fputs("</strong>（部门编码 ", out);
	esc_html(out, code);
	fputs("）· ", out);
	esc_html(out, year);
	fputs(" 年度", out);
	if (*G(M_DEPTS, d, D_REGION)) {
		fputs(" · ", out);
		esc_html(out, G(M_DEPTS, d, D_REGION));
	}
	fputs("</p>\n", out);
	if (nfiles + nrows + nchecks == 0) {
		fputs("<p class=\"lead good\">本次审核未发现问题。</p>\n", out);
	} else {
		const char *sep = "";

		fputs("<p class=\"lead bad\">经审核，贵单位报送的公开表存在以下问题：", out);
		if (nfiles) {
			fprintf(out, "被拒绝的文件 %d 个", nfiles);
			sep = "，";
		}
		if (nrows) {
			fprintf(out, "%s被拒绝的行 %d 行", sep, nrows);
			sep = "，";
		}
		if (nchecks)
			fprintf(out, "%s未通过的核对 %d 项", sep, nchecks);
		fputs("。请逐项核实、更正后重新报送。</p>\n", out);
	}
	rejects_table(out, s, &sp->rejects);
	checks_table(out, s, &sp->checks);
	totals_table(out, s, d);
	charts(out, s, sp);
	html_end(out, G(M_NOW, 0, NOW_AT), G(M_NOW, 0, NOW_TZ));
}

/* ---- CSV ------------------------------------------------------------------- */

static void csv_amounts(FILE *out, const char *expected, const char *actual, const char *diff)
{
	const char *v[3] = {expected, actual, diff};
	char b[NUMFMT_MAX];

	for (int i = 0; i < 3; i++)
		esc_csv(out, false, *v[i] ? v[i] : NULL, false);
	for (int i = 0; i < 3; i++)
		esc_csv(out, false, *v[i] && numfmt_wan_plain(v[i], b, sizeof(b)) ? b : NULL,
		        false);
}

/* The leading columns of every line: year, code, name, kind of item. */
static void csv_head(FILE *out, const struct site *s, int d, const char *kind)
{
	esc_csv(out, true, G(M_DEPTS, d, D_YEAR), false);
	esc_csv(out, false, G(M_DEPTS, d, D_CODE), true);
	esc_csv(out, false, G(M_DEPTS, d, D_NAME), true);
	esc_csv(out, false, kind, true);
}

/* Columns from 阶段 to 说明 for a line that is not a reject. */
static void csv_plain(FILE *out, const char *stage, const char *table, const char *code,
                      const char *text)
{
	esc_csv(out, false, html_stage(stage), true);
	esc_csv(out, false, table, true);
	for (int i = 0; i < 4; i++) /* 文件, 行, 列, 原始内容 */
		esc_csv(out, false, NULL, true);
	esc_csv(out, false, code, true); /* 原因代码 */
	esc_csv(out, false, NULL, true); /* 原因 */
	esc_csv(out, false, text, true); /* 说明 */
}

void sheet_csv(FILE *out, const struct site *s, int d, const struct sheet_spans *sp)
{
	static const char *const head[] = {
	    "年度",       "部门编码",     "部门名称",     "类别",        "阶段",
	    "表",         "文件",         "行",           "列",          "原始内容",
	    "原因代码",   "原因",         "说明",         "应为（元）",  "实际（元）",
	    "差额（元）", "应为（万元）", "实际（万元）", "差额（万元）"};
	static const struct {
		const char *label;
		int col;
	} totals[] = {{"收入总计（预算表1）", D_REVENUE},
	              {"支出合计（预算表3）", D_EXPENDITURE},
	              {"基本支出", D_BASIC},
	              {"项目支出", D_PROJECT},
	              {"一般公共预算财政拨款支出（预算数对决算数）", -1}};
	char b[NUMFMT_MAX + 320], p[NUMFMT_MAX];

	fputs("\xEF\xBB\xBF", out); /* the BOM: Excel then reads UTF-8 */
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		esc_csv(out, i == 0, head[i], true);
	fputs("\r\n", out);
	for (int i = sp->rejects.begin; i < sp->rejects.end; i++) {
		csv_head(out, s, d, *G(M_REJECTS, i, RJ_LINE) ? "被拒绝的行" : "被拒绝的文件");
		esc_csv(out, false, html_stage(G(M_REJECTS, i, RJ_STAGE)), true);
		esc_csv(out, false, G(M_REJECTS, i, RJ_TABLE), true);
		esc_csv(out, false, G(M_REJECTS, i, RJ_FILE_PATH), true);
		esc_csv(out, false, *G(M_REJECTS, i, RJ_LINE) ? G(M_REJECTS, i, RJ_LINE) : NULL,
		        false);
		esc_csv(out, false, G(M_REJECTS, i, RJ_COLUMN), true);
		esc_csv(out, false, G(M_REJECTS, i, RJ_RAW), true);
		esc_csv(out, false, G(M_REJECTS, i, RJ_REASON), true);
		esc_csv(out, false, G(M_REJECTS, i, RJ_REASON_TEXT), true);
		esc_csv(out, false, G(M_REJECTS, i, RJ_MESSAGE), true);
		csv_amounts(out, "", "", "");
		fputs("\r\n", out);
	}
	for (int i = sp->checks.begin; i < sp->checks.end; i++) {
		csv_head(out, s, d, "核对未通过");
		csv_plain(out, G(M_CHECKS, i, CK_STAGE), G(M_CHECKS, i, CK_TABLE),
		          G(M_CHECKS, i, CK_NAME), G(M_CHECKS, i, CK_MESSAGE));
		csv_amounts(out, G(M_CHECKS, i, CK_EXPECTED), G(M_CHECKS, i, CK_ACTUAL),
		            G(M_CHECKS, i, CK_DIFFERENCE));
		fputs("\r\n", out);
	}
	for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
		bool gpb = totals[t].col < 0;

		if (gpb && strcmp(G(M_DEPTS, d, D_HAS_FINAL), "t") != 0)
			continue;
		csv_head(out, s, d, "部门合计");
		if (gpb) {
			snprintf(b, sizeof(b), "%s，执行率 %s", totals[t].label,
			         html_pct(G(M_DEPTS, d, D_GPB_RATE), p));
			csv_plain(out, "final", NULL, NULL, b);
			csv_amounts(out, G(M_DEPTS, d, D_GPB_BUDGET), G(M_DEPTS, d, D_GPB_FINAL),
			            "");
		} else {
			csv_plain(out, "budget", NULL, NULL, totals[t].label);
			csv_amounts(out, "", G(M_DEPTS, d, totals[t].col), "");
		}
		fputs("\r\n", out);
	}
	for (int i = sp->classes.begin; i < sp->classes.end; i++) {
		snprintf(b, sizeof(b), "%s %s", G(M_DEPT_CLASSES, i, DC_CODE),
		         G(M_DEPT_CLASSES, i, DC_NAME));
		csv_head(out, s, d, "支出功能分类（类）");
		csv_plain(out, "budget", "表3 部门支出总表", NULL, b);
		csv_amounts(out, "", G(M_DEPT_CLASSES, i, DC_TOTAL), "");
		fputs("\r\n", out);
	}
	for (int i = sp->exec.begin; i < sp->exec.end; i++) {
		snprintf(b, sizeof(b), "%s %s，执行率 %s", G(M_DEPT_EXEC, i, DE_CODE),
		         G(M_DEPT_EXEC, i, DE_NAME), html_pct(G(M_DEPT_EXEC, i, DE_RATE), p));
		csv_head(out, s, d, "一般公共预算执行（类，应为预算数、实际为决算数）");
		csv_plain(out, "final", NULL, NULL, b);
		csv_amounts(out, G(M_DEPT_EXEC, i, DE_BUDGET), G(M_DEPT_EXEC, i, DE_FINAL), "");
		fputs("\r\n", out);
	}
}
