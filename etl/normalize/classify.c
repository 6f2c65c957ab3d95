#include "classify.h"

#include <stdio.h>
#include <string.h>

#include "textnorm.h"

int classify_begin(struct classify_ctx *c, const struct refdata *rd, int kind, int year,
                   struct etl_err *err)
{
	enum scheme s = kind == 6 ? SCHEME_ECON_DEPT : SCHEME_FUNCTION;

	memset(c, 0, sizeof(*c));
	c->rd = rd;
	c->year = year;
	c->max_level = kind == 6 ? 2 : 3;
	c->what = kind == 6 ? "经济分类科目" : "功能分类科目";
	c->list = refdata_list(rd, year, s);
	if (!c->list && refdata_error(rd)) { /* the year's list is there but unreadable */
		*err = *refdata_error(rd);
		return -1;
	}
	if (!c->list)
		return etl_fail(
		    err, "no_classification", 0, NULL,
		    "%d 年没有%s表：请在 config/classifications/%d/ 中放入该年度的科目表", year,
		    c->what, year);
	return 0;
}

/* A name from a file as messages show it: at most size - 1 bytes, whole characters. */
static const char *shown(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s", name ? name : "");
	text_utf8_cut(buf);
	return buf;
}

/* Level of a canonical code in this scheme: 1, 2, 3, or 0 if malformed. */
static int level_of(const struct classify_ctx *c, const char *code)
{
	size_t n = strlen(code);

	if (strspn(code, "0123456789") != n)
		return 0;
	if (n == 3)
		return 1;
	if (n == 5)
		return 2;
	if (n == 7 && c->max_level == 3)
		return 3;
	return 0;
}

/* "最接近的有效科目：2010301 行政运行、2010302 一般行政管理事务" */
static void nearest(const struct classify_ctx *c, const char *code, char *buf, size_t size)
{
	const struct ref_code *near[3];
	int n = ref_nearest(c->list, code, near, 3);
	size_t used = 0;

	buf[0] = '\0';
	if (n <= 0)
		return;
	used += (size_t)snprintf(buf, size, "；最接近的有效科目：");
	for (int i = 0; i < n && used < size; i++) {
		/* whole entries only: a cut name would be a broken character */
		int len = snprintf(NULL, 0, "%s%s %s", i ? "、" : "", near[i]->code, near[i]->name);

		if (len < 0 || used + (size_t)len >= size)
			break;
		used += (size_t)snprintf(buf + used, size - used, "%s%s %s", i ? "、" : "",
		                         near[i]->code, near[i]->name);
	}
	if (used >= size)
		text_utf8_cut(buf);
}

static int reject_unknown(struct classify_ctx *c, const char *code, const char *missing_what,
                          const char *missing_code, struct etl_err *err)
{
	char near[256];

	nearest(c, missing_code, near, sizeof(near));
	etl_fail(err, "unknown_code", 0, NULL,
	         "%s %s 不存在（%s %s 不在 %d 年科目表中）%s；如确为新增科目，请在 "
	         "config/classifications/local/ 中添加",
	         c->what, code, missing_what, missing_code, c->year, near);
	text_utf8_cut(err->message);
	return -1;
}

/* The code from the name, under the enclosing rows. */
static int resolve_name(struct classify_ctx *c, const char *name, char *code, struct etl_err *err)
{
	const char *parents[3];
	char nm[128];
	int np = 0;

	if (c->max_level == 3 && c->cur_section[0])
		parents[np++] = c->cur_section;
	if (c->cur_class[0])
		parents[np++] = c->cur_class;
	parents[np++] = NULL;
	for (int i = 0; i < np; i++) {
		bool ambiguous = false;
		const struct ref_code *r =
		    ref_find_child_by_name(c->list, parents[i], name, &ambiguous);

		if (ambiguous) {
			etl_fail(
			    err, "ambiguous_name", 0, NULL,
			    "科目名称“%s”在 %s 下有多个科目，无法确定编码；请在表中写明科目编码",
			    shown(name, nm, sizeof(nm)), parents[i] ? parents[i] : "类级");
			text_utf8_cut(err->message);
			return -1;
		}
		if (r) {
			snprintf(code, 16, "%s", r->code);
			return 0;
		}
	}
	etl_fail(err, "unknown_name", 0, NULL,
	         "科目名称“%s”在上级科目 %s 下找不到（%d 年%s表），无法确定编码",
	         shown(name, nm, sizeof(nm)),
	         c->cur_section[0] ? c->cur_section
	         : c->cur_class[0] ? c->cur_class
	                           : "（无）",
	         c->year, c->what);
	text_utf8_cut(err->message);
	return -1;
}

/* The 类 and 款 rows above must enclose the code. */
static int check_enclosing(struct classify_ctx *c, const char *code, int level, struct etl_err *err)
{
	if (level >= 2 && c->cur_class[0] && strncmp(code, c->cur_class, 3) != 0)
		return etl_fail(err, "code_parent_mismatch", 0, NULL,
		                "%s %s 不属于上面的类级科目 %s", c->what, code, c->cur_class);
	if (level == 3 && c->cur_section[0] && strncmp(c->cur_section, code, 3) == 0 &&
	    strncmp(code, c->cur_section, 5) != 0)
		return etl_fail(err, "code_parent_mismatch", 0, NULL,
		                "%s %s 不属于上面的款级科目 %s", c->what, code, c->cur_section);
	return 0;
}

static void remember(struct classify_ctx *c, const char *code, int level)
{
	if (level == 1) {
		snprintf(c->cur_class, sizeof(c->cur_class), "%s", code);
		c->cur_section[0] = '\0';
	} else if (level == 2 && c->max_level == 3) {
		snprintf(c->cur_section, sizeof(c->cur_section), "%s", code);
	}
}

static void compare_name(const struct classify_ctx *c, const struct ref_code *r, const char *name,
                         struct classify_out *out)
{
	char a[256], b[256];

	if (!name || !*name)
		return;
	text_key(name, a, sizeof(a));
	text_key(r->name, b, sizeof(b));
	snprintf(out->ref_name, sizeof(out->ref_name), "%s", r->name);
	if (strcmp(a, b) == 0)
		return;
	/* 医疗卫生与计划生育支出 for 210: the code decides, the old name is known */
	if (c->max_level == 3 && refdata_old_name(c->rd, r->code, name)) {
		out->old_name = true;
		return;
	}
	out->name_differs = true;
}

int classify_row(struct classify_ctx *c, const char *code, const char *name,
                 struct classify_out *out, struct etl_err *err)
{
	char parent[8], nm[128];
	const struct ref_code *r;

	memset(out, 0, sizeof(*out));
	if (code && *code)
		snprintf(out->code, sizeof(out->code), "%s", code);
	else if (resolve_name(c, name, out->code, err) < 0)
		return -1;
	out->level = level_of(c, out->code);
	if (!out->level) {
		etl_fail(err, "bad_code", 0, NULL, "%s编码 %s 格式不对（应为%s位数字）", c->what,
		         out->code, c->max_level == 3 ? " 3、5 或 7 " : " 3 或 5 ");
		text_utf8_cut(err->message);
		return -1;
	}
	snprintf(parent, 4, "%s", out->code);
	if (!ref_find(c->list, parent))
		return reject_unknown(c, out->code, "类", parent, err);
	if (out->level == 3) {
		snprintf(parent, 6, "%s", out->code);
		/* a 款 the (incomplete) list lacks stands when the table printed
		 * it as the row above: its 项 are kept like it, each a failed check */
		if (!ref_find(c->list, parent) &&
		    (c->list->complete || strcmp(c->cur_section, parent) != 0))
			return reject_unknown(c, out->code, "款", parent, err);
	}
	if (check_enclosing(c, out->code, out->level, err) < 0)
		return -1;
	r = ref_find(c->list, out->code);
	if (!r && c->list->complete)
		return reject_unknown(c, out->code, "科目", out->code, err);
	if (!r) {
		char near[256];

		nearest(c, out->code, near, sizeof(near));
		out->missing = true;
		snprintf(
		    out->note, sizeof(out->note),
		    "%s %s（%s）不在 %d 年科目表中（该科目表不完整，已装载）%s；如确为有效科目，"
		    "请在 config/classifications/local/ 中添加",
		    c->what, out->code, shown(name, nm, sizeof(nm)), c->year, near);
		text_utf8_cut(out->note);
	} else {
		compare_name(c, r, name, out);
		if (out->name_differs)
			snprintf(out->note, sizeof(out->note),
			         "%s %s 的名称“%s”与 %d 年科目表“%s”不一致", c->what, out->code,
			         shown(name, nm, sizeof(nm)), c->year, r->name);
		else if (out->old_name)
			snprintf(out->note, sizeof(out->note),
			         "%s %s 印的是旧名称“%s”，%d 年科目表为“%s”：按编码认定", c->what,
			         out->code, shown(name, nm, sizeof(nm)), c->year, r->name);
		text_utf8_cut(out->note);
		text_utf8_cut(out->ref_name);
	}
	remember(c, out->code, out->level);
	return 0;
}

const char *classify_class_by_name(const struct refdata *rd, int year, const char *label)
{
	const struct ref_list *l = refdata_list(rd, year, SCHEME_FUNCTION);
	char stripped[256];
	bool ambiguous = false;
	const struct ref_code *r;

	if (!l)
		return NULL;
	text_strip_ordinal(label, stripped, sizeof(stripped));
	r = ref_find_child_by_name(l, NULL, stripped, &ambiguous);
	if (r && !ambiguous)
		return r->code;
	/* an earlier name of a 类 (医疗卫生与计划生育支出 for 210): old_names.csv */
	for (size_t i = 0; !ambiguous && i < l->n; i++)
		if (l->codes[i].level == 1 && refdata_old_name(rd, l->codes[i].code, stripped))
			return l->codes[i].code;
	return NULL;
}
