/*
 * checks: the submission model and the reconciliation identities.
 *
 * What expected and actual mean (struct check):
 *   - within a table, expected is the sum of the parts (children, 类 rows,
 *     the row's own columns) and actual the figure printed on the row;
 *   - declared_income_equals_expenditure (table 1) and
 *     fiscal_income_equals_expenditure (table 4): expected is 收入总计,
 *     actual 支出总计 (the seed department: 748030000 / 648030000 fen);
 *   - <x>_vs_table<N> / <x>_vs_tables: expected is the figure of the other
 *     table(s), actual the figure of the table the check is about (kind);
 *   - project_amount_positive: expected 0 is the bound; passes when
 *     actual > 0 (the tolerance does not apply).
 *
 * A table is present when present[kind] is set or it has rows; a present
 * table without rows (本部门没有政府性基金预算) counts as zero in cross-table
 * sums.  A check is skipped only when a table, line or column it needs is
 * absent; a zero that equals zero is a passed check.
 */
#include "checks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "textnorm.h"

#define N_OF(a)    (sizeof(a) / sizeof((a)[0]))
#define DESC       240 /* one side of a message */
#define NAME_BYTES 60  /* a row name inside a message */
#define MAX_KIND   10

/* Fund sources: table 2 columns, table 1 / 4 income lines (stream keys). */
static const char *const fund_sources[] = {
    "general_budget", "gov_fund",  "state_capital",    "fiscal_appropriation", "fiscal_special",
    "business",       "operating", "superior_subsidy", "subordinate_remit",    "other"};

/*
 * The sources that add up to 本年收入: 财政拨款收入 (fiscal_appropriation) is
 * by definition general_budget + gov_fund + state_capital, so where it is
 * printed it stands for those three (whether they are printed under it as
 * 其中 lines or not at all), never added to them.
 */
static const char *const sources_split[] = {
    "general_budget", "gov_fund",         "state_capital",     "fiscal_special", "business",
    "operating",      "superior_subsidy", "subordinate_remit", "other",          "carryover"};
static const char *const sources_fa[] = {
    "fiscal_appropriation", "fiscal_special",    "business", "operating",
    "superior_subsidy",     "subordinate_remit", "other",    "carryover"};

/* The fiscal-appropriation sources that table 4 repeats from table 1. */
static const char *const fiscal_sources[] = {"general_budget", "gov_fund", "state_capital",
                                             "fiscal_appropriation"};

/* Expense types: parts of a row's 合计, or expense lines of tables 1 / 4. */
static const char *const expense_types[] = {"basic", "project", "upper_remit", "business_op",
                                            "subsidiary"};

static const char *const budget_titles[MAX_KIND + 1] = {"",
                                                        "部门收支总表",
                                                        "部门收入总表",
                                                        "部门支出总表",
                                                        "财政拨款收支总表",
                                                        "一般公共预算支出表",
                                                        "一般公共预算基本支出表",
                                                        "一般公共预算“三公”经费支出表",
                                                        "政府性基金预算支出表",
                                                        "项目支出绩效目标表",
                                                        "国有资本经营预算支出表"};

/* The 决算 titles by the budget kind they pair with (FINAL_ACCOUNTS, table). */
static const char *const final_titles[MAX_KIND + 1] = {"",
                                                       "收入支出决算总表",
                                                       "收入决算表",
                                                       "支出决算表",
                                                       "财政拨款收入支出决算总表",
                                                       "一般公共预算财政拨款支出决算表",
                                                       "一般公共预算财政拨款基本支出决算表",
                                                       "财政拨款“三公”经费支出决算表",
                                                       "政府性基金预算财政拨款收入支出决算表",
                                                       "项目支出绩效目标表",
                                                       "国有资本经营预算财政拨款收入支出决算表"};

/*
 * The titles messages name tables by: those of the stage being checked, set
 * by checks_run() (normalize checks one submission at a time).
 */
static const char *const *table_titles = budget_titles;

/* A table's number as printed: the 决算 set numbers 国有资本经营 9, not 10. */
static int shown_no(int kind)
{
	return table_titles == final_titles && kind == 10 ? 9 : kind;
}

struct label {
	const char *key;
	const char *text;
};

/* Column headings as a finance officer knows them. */
static const struct label labels[] = {
    {"total", "合计"},
    {"basic", "基本支出"},
    {"project", "项目支出"},
    {"personnel", "人员经费"},
    {"public", "公用经费"},
    {"upper_remit", "上缴上级支出"},
    {"business_op", "事业单位经营支出"},
    {"subsidiary", "对附属单位补助支出"},
    {"income_subtotal", "本年收入小计"},
    {"general_budget", "一般公共预算拨款收入"},
    {"gov_fund", "政府性基金预算拨款收入"},
    {"state_capital", "国有资本经营预算拨款收入"},
    {"fiscal_appropriation", "财政拨款收入"},
    {"fiscal_special", "财政专户管理资金收入"},
    {"business", "事业收入"},
    {"operating", "事业单位经营收入"},
    {"superior_subsidy", "上级补助收入"},
    {"subordinate_remit", "附属单位上缴收入"},
    {"other", "其他收入"},
    {"carryover", "上年结转结余"},
    {"income_total", "收入总计"},
    {"expense_subtotal", "本年支出合计"},
    {"carry_forward", "结转下年"},
    {"expense_total", "支出总计"},
    {"amount", "资金总额"},
    {"outbound_travel", "因公出国（境）费"},
    {"vehicle_total", "公务用车购置及运行费"},
    {"vehicle_purchase", "公务用车购置费"},
    {"vehicle_operation", "公务用车运行费"},
    {"official_reception", "公务接待费"},
    {"admin_operating", "机关运行经费"},
    {"carryover_begin", "年初结转和结余"},
    {"carryover_end", "年末结转和结余"},
    {"non_fiscal_surplus_used", "使用非财政拨款结余"},
    {"surplus_distribution", "结余分配"},
    {"year_income", "本年收入"},
    {"total_budget", "合计（预算数）"},
    {"outbound_travel_budget", "因公出国（境）费（预算数）"},
    {"vehicle_total_budget", "公务用车购置及运行费（预算数）"},
    {"vehicle_purchase_budget", "公务用车购置费（预算数）"},
    {"vehicle_operation_budget", "公务用车运行费（预算数）"},
    {"official_reception_budget", "公务接待费（预算数）"},
    {"personnel_total", "人员经费合计"},
    {"public_total", "公用经费合计"},
    {"carryover_begin:general_budget", "年初结转和结余（一般公共预算财政拨款）"},
    {"carryover_begin:gov_fund", "年初结转和结余（政府性基金预算财政拨款）"},
    {"carryover_begin:state_capital", "年初结转和结余（国有资本经营预算财政拨款）"},
};

/*
 * One side of a comparison: a figure, the rounding allowance of the printed
 * figures it adds up (fen), and what it is, in Chinese.
 */
struct figure {
	int64_t v;
	int64_t allow;
	char desc[DESC];
};

/* A comparison about to become a struct check. */
struct cmp {
	int kind;
	const char *name;
	char subject[128];
	struct figure exp, act;
	bool exp_first; /* message order: expected first (else actual first) */
};

/* The state of one checks_run(). */
/*
 * Passed row-level identities with difference 0, counted per table kind and
 * check name instead of one record each (CONTRACT, etl.checks row_count).
 */
struct tally_slot {
	int kind;
	const char *name; /* a string literal */
	long rows;
};

struct ctx {
	const struct submission *s;
	int64_t tol;
	struct check_list *out;
	bool nomem;
	struct tally_slot tally[64];
	int ntally;
};

/* ---- text and arithmetic ------------------------------------------------ */

/*
 * a + b, saturating one past the range of an amount (amount.h): a sum that
 * leaves the range stays outside it, and normalize records the check as
 * failed without figures (hostile input must be neither UB nor a value
 * the database cannot hold).
 */
static int64_t add_sat(int64_t a, int64_t b)
{
	int64_t s;

	if (__builtin_add_overflow(a, b, &s) || s > AMOUNT_MAX_FEN)
		return s > 0 || (a > 0 && b > 0) ? AMOUNT_MAX_FEN + 1 : -AMOUNT_MAX_FEN - 1;
	if (s < -AMOUNT_MAX_FEN)
		return -AMOUNT_MAX_FEN - 1;
	return s;
}

/* |a - b|, saturating. */
static int64_t abs_diff(int64_t a, int64_t b)
{
	int64_t d;

	if (b < 0 && a > INT64_MAX + b)
		return INT64_MAX;
	if (b > 0 && a < INT64_MIN + b)
		return INT64_MAX;
	d = a - b;
	return d < 0 ? (d == INT64_MIN ? INT64_MAX : -d) : d;
}

static const char *label_of(const char *key)
{
	for (size_t i = 0; i < N_OF(labels); i++)
		if (strcmp(labels[i].key, key) == 0)
			return labels[i].text;
	return key;
}

static bool is_role(const struct sub_row *r, const char *role)
{
	return strcmp(r->role, role) == 0;
}

/* ---- the submission model ----------------------------------------------- */

void submission_init(struct submission *s, int year, const char *dept)
{
	memset(s, 0, sizeof(*s));
	s->year = year;
	text_copy(s->dept, sizeof(s->dept), dept);
	for (int k = 0; k <= MAX_KIND; k++)
		s->tables[k].kind = k;
}

void submission_free(struct submission *s)
{
	for (int k = 0; k <= MAX_KIND; k++) {
		struct sub_table *t = &s->tables[k];

		for (size_t i = 0; i < t->n; i++)
			free(t->rows[i].m);
		free(t->rows);
		t->rows = NULL;
		t->n = t->cap = 0;
	}
}

/* Make room for one more row; -1 on ENOMEM (the table is unchanged). */
static int table_grow(struct sub_table *t)
{
	size_t cap;
	struct sub_row *rows;

	if (t->n < t->cap)
		return 0;
	cap = t->cap ? t->cap * 2 : 32;
	if (cap > SIZE_MAX / sizeof(*rows))
		return -1;
	rows = realloc(t->rows, cap * sizeof(*rows));
	if (!rows)
		return -1;
	t->rows = rows;
	t->cap = cap;
	return 0;
}

/* Whether s (NULL: "") fits a buffer of size bytes. */
static bool fits(const char *s, size_t size)
{
	return !s || strlen(s) < size;
}

/*
 * Append a row to table kind (1..10) and mark the table present.  Strings
 * are copied; a name too long is cut on a character boundary, a role or
 * code too long is refused (a cut code would match the wrong row).  The
 * returned pointer is valid until the next sub_add_row() on the same table.
 * NULL: errno is EINVAL (bad kind, role or code) or ENOMEM.
 */
struct sub_row *sub_add_row(struct submission *s, int kind, const char *path, long line,
                            const char *role, const char *code, const char *name, int level)
{
	struct sub_table *t;
	struct sub_row *r;

	if (kind < 1 || kind > MAX_KIND || !fits(role, sizeof(r->role)) ||
	    !fits(code, sizeof(r->code))) {
		errno = EINVAL;
		return NULL;
	}
	t = &s->tables[kind];
	if (table_grow(t) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	t->kind = kind;
	if (path)
		t->path = path;
	s->present[kind] = true;
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->level = level;
	text_copy(r->role, sizeof(r->role), role);
	text_copy(r->code, sizeof(r->code), code);
	text_copy(r->name, sizeof(r->name), name);
	return r;
}

/*
 * Set measure key of r to fen (a second value for a key replaces the first).
 * -1 with errno EINVAL when key does not fit CHECK_MEASURE_KEY, ENOMEM when
 * memory runs out.
 */
int sub_add_measure(struct sub_row *r, const char *key, int64_t fen)
{
	struct measure *m;

	if (!key || strlen(key) >= CHECK_MEASURE_KEY) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < r->nm; i++)
		if (strcmp(r->m[i].key, key) == 0) {
			r->m[i].fen = fen;
			return 0;
		}
	m = realloc(r->m, ((size_t)r->nm + 1) * sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return -1;
	}
	r->m = m;
	memcpy(m[r->nm].key, key, strlen(key) + 1);
	m[r->nm].fen = fen;
	m[r->nm].printed = true;
	r->nm++;
	return 0;
}

int sub_add_blank(struct sub_row *r, const char *key)
{
	for (int i = 0; i < r->nm; i++)
		if (strcmp(r->m[i].key, key) == 0)
			return 0;
	if (sub_add_measure(r, key, 0) < 0)
		return -1;
	r->m[r->nm - 1].printed = false;
	return 0;
}

/* The rounding allowance of measure key of r: its half unit when printed. */
static int64_t half_of(const struct sub_row *r, const char *key)
{
	for (int i = 0; i < r->nm; i++)
		if (strcmp(r->m[i].key, key) == 0)
			return r->m[i].printed ? r->half_unit : 0;
	return 0;
}

/* The value of measure key on r, or 0; *found (may be NULL) tells which. */
int64_t sub_measure(const struct sub_row *r, const char *key, bool *found)
{
	for (int i = 0; r && i < r->nm; i++)
		if (strcmp(r->m[i].key, key) == 0) {
			if (found)
				*found = true;
			return r->m[i].fen;
		}
	if (found)
		*found = false;
	return 0;
}

/* A measure of r, adding its row's half unit to *allow when it was printed. */
static int64_t meas(const struct sub_row *r, const char *key, int64_t *allow)
{
	if (allow)
		*allow = add_sat(*allow, half_of(r, key));
	return sub_measure(r, key, NULL);
}

static bool has_measure(const struct sub_row *r, const char *key)
{
	bool f;

	sub_measure(r, key, &f);
	return f;
}

void check_list_free(struct check_list *l)
{
	free(l->c);
	l->c = NULL;
	l->n = l->cap = 0;
}

/* ---- emitting checks ---------------------------------------------------- */

/* A new zeroed check at the end of l, or NULL on ENOMEM. */
static struct check *check_push(struct check_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct check *c;

		if (cap > SIZE_MAX / sizeof(*c))
			return NULL;
		c = realloc(l->c, cap * sizeof(*c));
		if (!c)
			return NULL;
		l->c = c;
		l->cap = cap;
	}
	memset(&l->c[l->n], 0, sizeof(l->c[0]));
	return &l->c[l->n++];
}

/*
 * "相等" / "不相等，相差 X 元" for a difference d under tolerance tol;
 * allowance: the rounding allowance a passed check needed (0: none).
 */
static void verdict(char *buf, size_t size, int64_t d, int64_t tol, int64_t allowance)
{
	char a[32], b[32];

	if (d == 0)
		snprintf(buf, size, "相等");
	else if (allowance)
		snprintf(buf, size, "相差 %s 元，在逐格四舍五入的允许范围（%s 元）以内",
		         amount_format(d, a, sizeof(a)), amount_format(allowance, b, sizeof(b)));
	else if (d <= tol)
		snprintf(buf, size, "相差 %s 元，在容差以内", amount_format(d, a, sizeof(a)));
	else
		snprintf(buf, size, "不相等，相差 %s 元", amount_format(d, a, sizeof(a)));
}

/*
 * second, with the "表N 标题 " that it shares with first replaced by "同表";
 * returns second itself or buf (size bytes).
 */
static const char *same_table(const char *first, const char *second, char *buf, size_t size)
{
	const char *sp = strchr(first, ' ');
	size_t n;

	sp = sp ? strchr(sp + 1, ' ') : NULL; /* the space after "表N 标题" */
	if (!sp)
		return second;
	n = (size_t)(sp - first) + 1;
	if (strncmp(first, second, n) != 0)
		return second;
	snprintf(buf, size, "同表%s", second + n);
	text_utf8_cut(buf);
	return buf;
}

static bool row_level_check(const char *name)
{
	static const char *const row_level[] = {
	    "subtotal_equals_children",      "total_equals_classes",
	    "row_total_equals_parts",        "basic_equals_personnel_public",
	    "total_equals_personnel_public", "income_subtotal_equals_sources"};

	for (size_t i = 0; i < sizeof(row_level) / sizeof(row_level[0]); i++)
		if (strcmp(name, row_level[i]) == 0)
			return true;
	return false;
}

/*
 * A row-level identity whose two sides are equal: counted in its table's
 * tally (no record, no text).  Returns false for any other check, which
 * the caller then describes and emits.
 */
static bool counted(struct ctx *c, int kind, const char *name, int64_t exp, int64_t act)
{
	int i = 0;

	if (exp != act || !row_level_check(name))
		return false;
	while (i < c->ntally && (c->tally[i].kind != kind || strcmp(c->tally[i].name, name) != 0))
		i++;
	if (i == c->ntally) {
		if (c->ntally == (int)N_OF(c->tally))
			return false; /* never: a handful of names per table */
		c->tally[i].kind = kind;
		c->tally[i].name = name;
		c->tally[i].rows = 0;
		c->ntally++;
	}
	c->tally[i].rows++;
	return true;
}

/* One passed record per tally slot: "(N rows)", difference 0. */
static void emit_tallies(struct ctx *c)
{
	for (int i = 0; i < c->ntally && !c->nomem; i++) {
		struct check *k = check_push(c->out);

		if (!k) {
			c->nomem = true;
			return;
		}
		k->kind = c->tally[i].kind;
		text_copy(k->name, sizeof(k->name), c->tally[i].name);
		snprintf(k->subject, sizeof(k->subject), "(%ld rows)", c->tally[i].rows);
		k->passed = true;
		k->rows = c->tally[i].rows;
		k->max_diff = 0;
		k->aggregate = true;
		snprintf(k->message, sizeof(k->message),
		         "表%d 中 %ld 处该项逐行勾稽（%s）均相等，差额为 0",
		         shown_no(c->tally[i].kind), c->tally[i].rows, c->tally[i].name);
	}
	c->ntally = 0;
}

/*
 * Append p as a check: passed when |expected - actual| <= tolerance.  The
 * message reads "<first> X 元 与<second> Y 元 <verdict>".
 */
static void emit(struct ctx *c, const struct cmp *p)
{
	const struct figure *f1 = p->exp_first ? &p->exp : &p->act;
	const struct figure *f2 = p->exp_first ? &p->act : &p->exp;
	int64_t d = abs_diff(p->exp.v, p->act.v), allow;
	char a[32], b[32], v[160], second[DESC + 8];
	struct check *k;

	if (c->nomem || counted(c, p->kind, p->name, p->exp.v, p->act.v))
		return;
	k = check_push(c->out);
	if (!k) {
		c->nomem = true;
		return;
	}
	k->kind = p->kind;
	text_copy(k->name, sizeof(k->name), p->name);
	text_copy(k->subject, sizeof(k->subject), p->subject);
	k->expected = p->exp.v;
	k->actual = p->act.v;
	k->rows = 1;
	k->max_diff = d;
	allow = add_sat(p->exp.allow, p->act.allow);
	k->passed = d <= add_sat(c->tol, allow);
	/* passed only through the rounding of the printed figures: say how much */
	k->allowance = k->passed && d > c->tol ? allow : 0;
	verdict(v, sizeof(v), d, c->tol, k->allowance);
	snprintf(k->message, sizeof(k->message), "%s %s 元 与%s %s 元 %s", f1->desc,
	         amount_format(f1->v, a, sizeof(a)),
	         same_table(f1->desc, f2->desc, second, sizeof(second)),
	         amount_format(f2->v, b, sizeof(b)), v);
	text_utf8_cut(k->message);
}

/* ---- describing rows ---------------------------------------------------- */

/*
 * "表3 部门支出总表 第 12 行 2010301 行政运行" (the name cut to NAME_BYTES); the
 * code only when it is a classification code, not a stream key.
 */
static void row_where(char *buf, size_t size, int kind, const struct sub_row *r)
{
	const char *code = r->code[0] >= '0' && r->code[0] <= '9' ? r->code : ""; /* not a key */
	char name[NAME_BYTES + 1], line[32] = "";

	text_copy(name, sizeof(name), r->name);
	if (!name[0] && is_role(r, "total"))
		text_copy(name, sizeof(name), "合计");
	if (r->line > 0)
		snprintf(line, sizeof(line), " 第 %ld 行", r->line);
	snprintf(buf, size, "表%d %s%s%s%s%s%s", shown_no(kind), table_titles[kind], line,
	         code[0] ? " " : "", code, name[0] ? " " : "", name);
	text_utf8_cut(buf);
}

/* A row's measure: "<row> 的“基本支出”"; a line of tables 1 / 4 is the row alone. */
static void measure_desc(char *buf, size_t size, int kind, const struct sub_row *r, const char *key)
{
	char where[DESC];

	row_where(where, sizeof(where), kind, r);
	if ((kind == 1 || kind == 4) && strcmp(key, "amount") == 0)
		text_copy(buf, size, where);
	else {
		snprintf(buf, size, "%s 的“%s”", where, label_of(key));
		text_utf8_cut(buf);
	}
}

/* Subject of a row's check: its code, "total", "three_public" or "line N", then "/key". */
static void row_subject(char *buf, size_t size, const struct sub_row *r, const char *key)
{
	char base[48];

	if (r->code[0])
		text_copy(base, sizeof(base), r->code);
	else if (is_role(r, "total") || is_role(r, "three_public"))
		text_copy(base, sizeof(base), r->role); /* one such row: no line needed */
	else
		snprintf(base, sizeof(base), "line %ld", r->line);
	if (key)
		snprintf(buf, size, "%s/%s", base, key);
	else
		text_copy(buf, size, base);
}

/* ---- within a classified table ------------------------------------------ */

static bool is_classified(int kind)
{
	return kind == 2 || kind == 3 || kind == 5 || kind == 6 || kind == 8 || kind == 10;
}

/*
 * The children of a table's 类 and 款 rows, found once: every row of level
 * 2 or 3 keyed by its level and the code of the parent it extends (the first
 * 3 or 5 characters), in row order within a key.  A parent finds its
 * children by binary search: the sums are those of a scan of every row, in
 * the same order (O(n log n) for the table instead of O(n) per parent and
 * measure).
 */
struct child_key {
	int level;
	char parent[8];
	size_t row;
};

static int cmp_child(const void *a, const void *b)
{
	const struct child_key *x = a, *y = b;
	int c = x->level - y->level;

	if (!c)
		c = strcmp(x->parent, y->parent);
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* The index of t's children; NULL with *n == 0 when t has none (or on ENOMEM). */
static struct child_key *children_index(const struct sub_table *t, size_t *n)
{
	struct child_key *ix = t->n ? malloc(t->n * sizeof(*ix)) : NULL;

	*n = 0;
	for (size_t i = 0; ix && i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];
		size_t plen = r->level == 2 ? 3 : 5;

		if (r->level < 2 || r->level > 3 || is_role(r, "total") || strlen(r->code) <= plen)
			continue;
		ix[*n].level = r->level;
		memcpy(ix[*n].parent, r->code, plen);
		ix[*n].parent[plen] = '\0';
		ix[*n].row = i;
		(*n)++;
	}
	if (*n)
		qsort(ix, *n, sizeof(*ix), cmp_child);
	return ix;
}

/*
 * Sum of measure key over the direct children of p (one level down, their
 * code extending p's), through the index ix of n entries; *nchild counts them.
 */
static int64_t children_sum(const struct sub_table *t, const struct child_key *ix, size_t n,
                            const struct sub_row *p, const char *key, size_t *nchild,
                            int64_t *allow)
{
	struct child_key want = {.level = p->level + 1, .row = 0};
	size_t lo = 0, hi = n;
	int64_t sum = 0;

	*nchild = 0;
	if (strlen(p->code) != (p->level == 1 ? 3u : 5u))
		return 0; /* no child extends a code of another length */
	snprintf(want.parent, sizeof(want.parent), "%s", p->code);
	while (lo < hi) { /* the first entry not below (level, parent, row 0) */
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_child(&ix[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && ix[lo].level == want.level && !strcmp(ix[lo].parent, want.parent); lo++) {
		sum = add_sat(sum, meas(&t->rows[ix[lo].row], key, allow));
		(*nchild)++;
	}
	return sum;
}

/* subtotal_equals_children: every 类 / 款 row with children, per measure. */
static void check_subtotals(struct ctx *c, const struct sub_table *t)
{
	size_t nix;
	struct child_key *ix = children_index(t, &nix);

	if (t->n && !ix) {
		c->nomem = true;
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *p = &t->rows[i];

		if (p->level < 1 || p->level > 2 || is_role(p, "total") || !p->code[0])
			continue;
		for (int j = 0; j < p->nm; j++) {
			struct cmp q = {.kind = t->kind, .name = "subtotal_equals_children"};
			size_t nchild;

			q.exp.v = children_sum(t, ix, nix, p, p->m[j].key, &nchild, &q.exp.allow);
			if (nchild == 0)
				break;
			q.act.v = p->m[j].fen;
			if (counted(c, t->kind, q.name, q.exp.v, q.act.v))
				continue; /* equal: no text to build */
			text_copy(q.exp.desc, sizeof(q.exp.desc), "其下级科目之和");
			q.act.allow = p->m[j].printed ? p->half_unit : 0;
			measure_desc(q.act.desc, sizeof(q.act.desc), t->kind, p, p->m[j].key);
			row_subject(q.subject, sizeof(q.subject), p, p->m[j].key);
			emit(c, &q);
		}
	}
	free(ix);
}

/* Whether r is a 类 row (level 1, not the 合计). */
static bool is_class_row(const struct sub_row *r)
{
	return r->level == 1 && r->code[0] && !is_role(r, "total");
}

/*
 * The rows a 合计 sums: the 类 rows, or the leaf rows when the table has no
 * 类 row.  Returns 1 for 类 rows, 2 for leaves, 0 when there is neither.
 */
static int total_basis(const struct sub_table *t)
{
	int leaves = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (is_class_row(&t->rows[i]))
			return 1;
		if (is_role(&t->rows[i], "leaf"))
			leaves = 1;
	}
	return leaves ? 2 : 0;
}

/* Sum of key over the rows of the given basis (see total_basis). */
static int64_t basis_sum(const struct sub_table *t, int basis, const char *key, int64_t *allow)
{
	int64_t sum = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];

		if (basis == 1 ? is_class_row(r) : is_role(r, "leaf"))
			sum = add_sat(sum, meas(r, key, allow));
	}
	return sum;
}

/* total_equals_classes: every 合计 row, per measure. */
static void check_totals(struct ctx *c, const struct sub_table *t)
{
	int basis = total_basis(t);

	if (!basis)
		return;
	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];

		if (!is_role(r, "total"))
			continue;
		for (int j = 0; j < r->nm; j++) {
			struct cmp q = {.kind = t->kind, .name = "total_equals_classes"};

			q.exp.v = basis_sum(t, basis, r->m[j].key, &q.exp.allow);
			q.act.v = r->m[j].fen;
			if (counted(c, t->kind, q.name, q.exp.v, q.act.v))
				continue;
			text_copy(q.exp.desc, sizeof(q.exp.desc),
			          basis == 1 ? "各类科目之和" : "各明细科目之和");
			q.act.allow = r->m[j].printed ? r->half_unit : 0;
			measure_desc(q.act.desc, sizeof(q.act.desc), t->kind, r, r->m[j].key);
			row_subject(q.subject, sizeof(q.subject), r, r->m[j].key);
			emit(c, &q);
		}
	}
}

/* An identity on one row: whole = sum of parts. */
struct row_rule {
	const char *name;
	const char *whole;
	const char *const *parts;
	size_t nparts;
	size_t nreq;            /* the first nreq parts must exist */
	const char *parts_text; /* "同行人员经费与公用经费之和" */
};

/*
 * Check rule on r when its whole, its required parts and at least one part
 * exist; absent optional parts count as zero.
 */
static void check_row_rule(struct ctx *c, int kind, const struct sub_row *r,
                           const struct row_rule *rule)
{
	struct cmp q = {.kind = kind, .name = rule->name};
	size_t found = 0;
	bool f;

	q.act.v = sub_measure(r, rule->whole, &f);
	if (!f)
		return;
	q.act.allow = half_of(r, rule->whole);
	for (size_t i = 0; i < rule->nparts; i++) {
		int64_t v = sub_measure(r, rule->parts[i], &f);

		if (!f && i < rule->nreq)
			return;
		found += f;
		q.exp.v = add_sat(q.exp.v, v);
		q.exp.allow = add_sat(q.exp.allow, half_of(r, rule->parts[i]));
	}
	if (!found || counted(c, kind, q.name, q.exp.v, q.act.v))
		return;
	text_copy(q.exp.desc, sizeof(q.exp.desc), rule->parts_text);
	measure_desc(q.act.desc, sizeof(q.act.desc), kind, r, rule->whole);
	row_subject(q.subject, sizeof(q.subject), r, rule->whole);
	emit(c, &q);
}

static const char *const personnel_public[] = {"personnel", "public"};
static const char *const income_parts[] = {"income_subtotal", "carryover"};

static const struct row_rule rule_expense_total = {
    "row_total_equals_parts", "total", expense_types,
    N_OF(expense_types),      2,       "同行基本支出、项目支出等各项之和"};
static const struct row_rule rule_basic = {
    "basic_equals_personnel_public", "basic", personnel_public, 2, 2, "同行人员经费与公用经费之和"};
static const struct row_rule rule_econ_total = {
    "total_equals_personnel_public", "total", personnel_public, 2, 2, "同行人员经费与公用经费之和"};
static const struct row_rule rule_income_total = {
    "row_total_equals_parts", "total", income_parts, 2, 1, "同行本年收入小计与上年结转结余之和"};
static const struct row_rule rule_income_total_nosub[2] = {
    {"row_total_equals_parts", "total", sources_split, N_OF(sources_split), 0,
     "同行各项收入与上年结转结余之和"},
    {"row_total_equals_parts", "total", sources_fa, N_OF(sources_fa), 0,
     "同行各项收入与上年结转结余之和"}};
/* The sources without the trailing carryover. */
static const struct row_rule rule_sources[2] = {
    {"income_subtotal_equals_sources", "income_subtotal", sources_split, N_OF(sources_split) - 1, 0,
     "同行各项收入来源之和"},
    {"income_subtotal_equals_sources", "income_subtotal", sources_fa, N_OF(sources_fa) - 1, 0,
     "同行各项收入来源之和"}};

/* The identities among the columns of one row of a classified table. */
static void check_row_columns(struct ctx *c, int kind, const struct sub_row *r)
{
	int fa;

	switch (kind) {
	case 2:
		fa = has_measure(r, "fiscal_appropriation");
		if (has_measure(r, "income_subtotal"))
			check_row_rule(c, kind, r, &rule_income_total);
		else
			check_row_rule(c, kind, r, &rule_income_total_nosub[fa]);
		check_row_rule(c, kind, r, &rule_sources[fa]);
		break;
	case 3:
	case 5:
		check_row_rule(c, kind, r, &rule_expense_total);
		check_row_rule(c, kind, r, &rule_basic);
		break;
	case 6: check_row_rule(c, kind, r, &rule_econ_total); break;
	case 8:
	case 10: check_row_rule(c, kind, r, &rule_expense_total); break;
	default: break;
	}
}

/* Every identity within classified table t. */
static void check_classified(struct ctx *c, const struct sub_table *t)
{
	check_subtotals(c, t);
	check_totals(c, t);
	for (size_t i = 0; i < t->n; i++)
		check_row_columns(c, t->kind, &t->rows[i]);
}

/* ---- tables 7 and 9 ----------------------------------------------------- */

static const char *const vehicle_parts[] = {"vehicle_purchase", "vehicle_operation"};
static const char *const three_public_parts[] = {"outbound_travel", "vehicle_total",
                                                 "official_reception"};
static const char *const three_public_parts_split[] = {"outbound_travel", "vehicle_purchase",
                                                       "vehicle_operation", "official_reception"};

static const struct row_rule rule_vehicle = {"three_public_vehicle",
                                             "vehicle_total",
                                             vehicle_parts,
                                             2,
                                             2,
                                             "公务用车购置费与公务用车运行费之和"};
static const struct row_rule rule_three_public = {
    "three_public_total",
    "total",
    three_public_parts,
    3,
    3,
    "因公出国（境）费、公务用车购置及运行费、公务接待费之和"};
static const struct row_rule rule_three_public_split = {
    "three_public_total",
    "total",
    three_public_parts_split,
    4,
    4,
    "因公出国（境）费、公务用车购置费、公务用车运行费、公务接待费之和"};

/* three_public_vehicle and three_public_total on table 7's row(s). */
static void check_three_public(struct ctx *c, const struct sub_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];

		if (!is_role(r, "three_public"))
			continue;
		check_row_rule(c, 7, r, &rule_vehicle);
		if (has_measure(r, "vehicle_total"))
			check_row_rule(c, 7, r, &rule_three_public);
		else
			check_row_rule(c, 7, r, &rule_three_public_split);
	}
}

/* The message of project_amount_positive for project row r (amount found or not). */
static void project_message(struct check *k, const struct sub_row *r, bool found)
{
	char where[DESC], a[32];

	row_where(where, sizeof(where), 9, r);
	amount_format(k->actual, a, sizeof(a));
	if (!found)
		snprintf(k->message, sizeof(k->message),
		         "%s 没有填写资金总额（按 %s 元计），应大于 0", where, a);
	else
		snprintf(k->message, sizeof(k->message), "%s 的资金总额 %s 元%s", where, a,
		         k->passed ? "，大于 0" : "，应大于 0");
	text_utf8_cut(k->message);
}

/* project_amount_positive: every project of table 9 has an amount above 0. */
static void check_projects(struct ctx *c, const struct sub_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];
		struct check *k;
		bool f;

		if (!is_role(r, "project") || c->nomem)
			continue;
		k = check_push(c->out);
		if (!k) {
			c->nomem = true;
			return;
		}
		k->kind = 9;
		text_copy(k->name, sizeof(k->name), "project_amount_positive");
		row_subject(k->subject, sizeof(k->subject), r, NULL);
		k->actual = sub_measure(r, "amount", &f);
		k->passed = f && k->actual > 0;
		project_message(k, r, f);
	}
}

/* ---- tables 1 and 4 on their own ---------------------------------------- */

/* The first row of t with role and code, or NULL. */
static const struct sub_row *line_of(const struct sub_table *t, const char *role, const char *code)
{
	for (size_t i = 0; i < t->n; i++)
		if (is_role(&t->rows[i], role) && strcmp(t->rows[i].code, code) == 0)
			return &t->rows[i];
	return NULL;
}

/* Whether code is a 类 code (three digits). */
static bool is_class_code(const char *code)
{
	return strlen(code) == 3 && code[0] >= '0' && code[0] <= '9' && code[1] >= '0' &&
	       code[1] <= '9' && code[2] >= '0' && code[2] <= '9';
}

/* A line's amount as a figure; false when the line or its amount is absent. */
static bool line_figure(const struct sub_table *t, const char *role, const char *code,
                        struct figure *f)
{
	const struct sub_row *r = line_of(t, role, code);
	bool found;

	if (!r)
		return false;
	f->v = sub_measure(r, "amount", &found);
	f->allow = half_of(r, "amount");
	if (found)
		measure_desc(f->desc, sizeof(f->desc), t->kind, r, "amount");
	return found;
}

/* Emit a check of figure act against figure exp. */
static void emit_figures(struct ctx *c, int kind, const char *name, const char *subject,
                         const struct figure *exp, const struct figure *act, bool exp_first)
{
	struct cmp q = {.kind = kind, .name = name, .exp_first = exp_first};

	q.exp = *exp;
	q.act = *act;
	text_copy(q.subject, sizeof(q.subject), subject);
	emit(c, &q);
}

/*
 * Line whole (role/code) against the sum of the lines parts that exist (at
 * least one; the first nreq required).  expected: the sum.
 */
static void check_line_sum(struct ctx *c, const struct sub_table *t, const char *name,
                           const char *role, const char *whole, const char *const *parts,
                           size_t nparts, size_t nreq, const char *parts_text)
{
	struct figure act, exp = {0}, part;
	size_t found = 0;

	if (!line_figure(t, role, whole, &act))
		return;
	for (size_t i = 0; i < nparts; i++) {
		if (!line_figure(t, role, parts[i], &part)) {
			if (i < nreq)
				return;
			continue;
		}
		found++;
		exp.v = add_sat(exp.v, part.v);
		exp.allow = add_sat(exp.allow, part.allow);
	}
	if (!found)
		return;
	snprintf(exp.desc, sizeof(exp.desc), "本表%s", parts_text);
	emit_figures(c, t->kind, name, whole, &exp, &act, false);
}

/* expense_subtotal_equals_classes: 本年支出合计 against its 类 lines. */
static void check_expense_classes(struct ctx *c, const struct sub_table *t)
{
	struct figure act, exp = {0};
	size_t found = 0;

	if (!line_figure(t, "expense", "expense_subtotal", &act))
		return;
	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];
		bool f;
		int64_t v;

		if (!is_role(r, "expense") || !is_class_code(r->code))
			continue;
		v = sub_measure(r, "amount", &f);
		found += f;
		exp.v = add_sat(exp.v, v);
		exp.allow = add_sat(exp.allow, half_of(r, "amount"));
	}
	if (!found)
		return;
	text_copy(exp.desc, sizeof(exp.desc), "本表各项支出功能分类（类）之和");
	emit_figures(c, t->kind, "expense_subtotal_equals_classes", "expense_subtotal", &exp, &act,
	             false);
}

static const char *const income_total_parts[] = {"income_subtotal", "carryover"};
static const char *const expense_total_parts[] = {"expense_subtotal", "carry_forward"};

/*
 * An expense line of table 1 or 4 that prints several columns (合计, 基本支出
 * (人员经费, 公用经费), 项目支出 …): its 合计 is the sum of the others.
 */
static void check_line_columns(struct ctx *c, const struct sub_table *t)
{
	static const char *const split[] = {"personnel",   "public",      "project",
	                                    "upper_remit", "business_op", "subsidiary"};
	static const struct row_rule by_type = {
	    "row_total_equals_parts", "amount", expense_types,
	    N_OF(expense_types),      0,        "同行基本支出、项目支出等各项之和"};
	static const struct row_rule by_split = {"row_total_equals_parts",
	                                         "amount",
	                                         split,
	                                         N_OF(split),
	                                         0,
	                                         "同行人员经费、公用经费、项目支出等各项之和"};

	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];

		if (!is_role(r, "expense") || r->nm < 2)
			continue;
		check_row_rule(c, t->kind, r, has_measure(r, "basic") ? &by_type : &by_split);
		check_row_rule(c, t->kind, r, &rule_basic);
	}
}

/* Tables 1 and 4: their own lines add up, and income equals expenditure. */
static void check_two_sided(struct ctx *c, const struct sub_table *t)
{
	struct figure in, out;

	check_line_columns(c, t);

	if (line_of(t, "income", "fiscal_appropriation"))
		check_line_sum(c, t, "income_subtotal_equals_sources", "income", "income_subtotal",
		               sources_fa, N_OF(sources_fa) - 1, 0, "各项收入来源之和");
	else
		check_line_sum(c, t, "income_subtotal_equals_sources", "income", "income_subtotal",
		               sources_split, N_OF(sources_split) - 1, 0, "各项收入来源之和");
	check_expense_classes(c, t);
	check_line_sum(c, t, "expense_subtotal_equals_types", "expense", "expense_subtotal",
	               expense_types, N_OF(expense_types), 0, "基本支出、项目支出等各项之和");
	check_line_sum(c, t, "income_total_equals_parts", "income", "income_total",
	               income_total_parts, 2, 1, "本年收入合计与上年结转结余之和");
	check_line_sum(c, t, "expense_total_equals_parts", "expense", "expense_total",
	               expense_total_parts, 2, 1, "本年支出合计与结转下年之和");
	if (line_figure(t, "income", "income_total", &in) &&
	    line_figure(t, "expense", "expense_total", &out))
		emit_figures(c, t->kind,
		             t->kind == 1 ? "declared_income_equals_expenditure"
		                          : "fiscal_income_equals_expenditure",
		             "income_total/expense_total", &in, &out, true);
}

/* ---- figures of whole tables --------------------------------------------- */

static bool present(const struct submission *s, int kind)
{
	return kind >= 1 && kind <= MAX_KIND && (s->present[kind] || s->tables[kind].n > 0);
}

/* Whether any row of t carries key. */
static bool table_has_key(const struct sub_table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (has_measure(&t->rows[i], key))
			return true;
	return false;
}

/*
 * The table's figure for key: its 合计 row, else the sum of its 类 (or leaf)
 * rows; 0 for a present table without rows.  false when the table is absent
 * or has no such column.
 */
static bool table_figure(const struct submission *s, int kind, const char *key, struct figure *f)
{
	const struct sub_table *t = &s->tables[kind];
	int basis;

	if (!present(s, kind))
		return false;
	f->allow = 0;
	if (t->n == 0) {
		f->v = 0;
		snprintf(f->desc, sizeof(f->desc), "表%d %s（没有数据行，按 0 计）", shown_no(kind),
		         table_titles[kind]);
		return true;
	}
	if (!table_has_key(t, key))
		return false;
	/* the 合计 row that prints key (决算 table 6 has one per measure) */
	for (size_t i = 0; i < t->n; i++)
		if (is_role(&t->rows[i], "total") && has_measure(&t->rows[i], key)) {
			f->v = meas(&t->rows[i], key, &f->allow);
			measure_desc(f->desc, sizeof(f->desc), kind, &t->rows[i], key);
			return true;
		}
	basis = total_basis(t);
	f->v = basis_sum(t, basis, key, &f->allow);
	snprintf(f->desc, sizeof(f->desc), "表%d %s 各%s科目“%s”之和", shown_no(kind),
	         table_titles[kind], basis == 1 ? "类" : "明细", label_of(key));
	text_utf8_cut(f->desc);
	return true;
}

/* Join "表5、表8" style lists: append kind to buf. */
static void list_table(char *buf, size_t size, int kind)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s表%d", n ? "、" : "", shown_no(kind));
	text_utf8_cut(buf);
}

/*
 * The sum of key over the present tables among kinds.  absent_zero: an
 * absent table counts as 0 (else it is left out, and with no table present
 * the figure does not exist).  false also when a present table lacks key.
 */
static bool tables_figure(const struct submission *s, const int *kinds, size_t nk, const char *key,
                          bool absent_zero, struct figure *f)
{
	char list[64] = "";
	size_t used = 0;
	struct figure one;

	f->v = 0;
	f->allow = 0;
	for (size_t i = 0; i < nk; i++) {
		if (!present(s, kinds[i])) {
			if (!absent_zero)
				continue;
			one.v = 0;
			one.allow = 0;
			snprintf(one.desc, sizeof(one.desc),
			         "表%d %s（未报送或没有数据行，按 0 计）", shown_no(kinds[i]),
			         table_titles[kinds[i]]);
		} else if (!table_figure(s, kinds[i], key, &one))
			return false;
		f->v = add_sat(f->v, one.v);
		f->allow = add_sat(f->allow, one.allow);
		list_table(list, sizeof(list), kinds[i]);
		used++;
	}
	if (used == 1)
		memcpy(f->desc, one.desc, sizeof(f->desc));
	else if (used > 1)
		snprintf(f->desc, sizeof(f->desc), "%s 的“%s”之和", list, label_of(key));
	return used > 0;
}

/* ---- across tables ------------------------------------------------------ */

/* Line role/code of table kind against key summed over tables others. */
static void check_line_vs(struct ctx *c, int kind, const char *name, const char *role,
                          const char *code, const int *others, size_t no, const char *key,
                          bool absent_zero)
{
	struct figure act, exp;

	if (!line_figure(&c->s->tables[kind], role, code, &act))
		return;
	if (!tables_figure(c->s, others, no, key, absent_zero, &exp))
		return;
	emit_figures(c, kind, name, code, &exp, &act, false);
}

/* The 类 part of a classified row's code, false when it has none. */
static bool class_of(const struct sub_row *r, char cls[4])
{
	if (is_role(r, "total") || strlen(r->code) < 3)
		return false;
	memcpy(cls, r->code, 3);
	cls[3] = '\0';
	return is_class_code(cls);
}

/*
 * Table kind's 类 cls for key: the 类 row, else the sum of the leaf rows
 * under it, else 0.  false when the table is absent or lacks key.
 */
static bool class_figure(const struct submission *s, int kind, const char *cls, const char *key,
                         struct figure *f)
{
	const struct sub_table *t = &s->tables[kind];
	char k[4];

	if (!present(s, kind))
		return false;
	if (t->n && !table_has_key(t, key))
		return false;
	f->v = 0;
	f->allow = 0;
	for (size_t i = 0; i < t->n; i++)
		if (is_class_row(&t->rows[i]) && strcmp(t->rows[i].code, cls) == 0) {
			f->v = meas(&t->rows[i], key, &f->allow);
			measure_desc(f->desc, sizeof(f->desc), kind, &t->rows[i], key);
			return true;
		}
	for (size_t i = 0; i < t->n; i++)
		if (is_role(&t->rows[i], "leaf") && class_of(&t->rows[i], k) && !strcmp(k, cls))
			f->v = add_sat(f->v, meas(&t->rows[i], key, &f->allow));
	snprintf(f->desc, sizeof(f->desc), "表%d %s 中 %s 类的“%s”", shown_no(kind),
	         table_titles[kind], cls, label_of(key));
	return true;
}

/* The 类 cls summed over the present tables among kinds (key total). */
static bool classes_figure(const struct submission *s, const int *kinds, size_t nk, const char *cls,
                           struct figure *f)
{
	char list[64] = "";
	size_t used = 0;
	struct figure one;

	f->v = 0;
	f->allow = 0;
	for (size_t i = 0; i < nk; i++) {
		if (!present(s, kinds[i]))
			continue;
		if (!class_figure(s, kinds[i], cls, "total", &one))
			return false;
		f->v = add_sat(f->v, one.v);
		f->allow = add_sat(f->allow, one.allow);
		list_table(list, sizeof(list), kinds[i]);
		used++;
	}
	if (used == 1)
		memcpy(f->desc, one.desc, sizeof(f->desc));
	else if (used > 1)
		snprintf(f->desc, sizeof(f->desc), "%s 中 %s 类“合计”之和", list, cls);
	return used > 0;
}

/* One 类 of table kind (line r, or NULL when kind does not list it). */
static void check_class_vs(struct ctx *c, int kind, const char *name, const char *cls,
                           const struct sub_row *r, const int *others, size_t no)
{
	struct figure act, exp;
	bool f = true;

	if (!classes_figure(c->s, others, no, cls, &exp))
		return;
	act.allow = 0;
	if (r) {
		act.v = meas(r, "amount", &act.allow);
		sub_measure(r, "amount", &f);
		measure_desc(act.desc, sizeof(act.desc), kind, r, "amount");
	} else {
		act.v = 0;
		snprintf(act.desc, sizeof(act.desc), "表%d %s（未列出 %s 类，按 0 计）",
		         shown_no(kind), table_titles[kind], cls);
	}
	if (f)
		emit_figures(c, kind, name, cls, &exp, &act, false);
}

/* Whether 类 cls occurs in tables others before row idx of table others[k]. */
static bool class_seen(const struct submission *s, const int *others, size_t k, size_t idx,
                       const char *cls)
{
	char x[4];

	for (size_t j = 0; j <= k; j++) {
		const struct sub_table *t = &s->tables[others[j]];
		size_t end = j == k ? idx : t->n;

		for (size_t i = 0; i < end; i++)
			if (class_of(&t->rows[i], x) && strcmp(x, cls) == 0)
				return true;
	}
	return false;
}

/*
 * Every 类 expense line of table kind against the same 类 in tables others,
 * and every 类 of those tables that kind does not list (as 0).
 */
static void check_classes_vs(struct ctx *c, int kind, const char *name, const int *others,
                             size_t no)
{
	const struct sub_table *t = &c->s->tables[kind];
	size_t lines = 0;
	char cls[4];

	for (size_t i = 0; i < t->n; i++)
		if (is_role(&t->rows[i], "expense") && is_class_code(t->rows[i].code)) {
			check_class_vs(c, kind, name, t->rows[i].code, &t->rows[i], others, no);
			lines++;
		}
	if (!lines)
		return;
	for (size_t k = 0; k < no; k++) {
		const struct sub_table *o = &c->s->tables[others[k]];

		for (size_t i = 0; i < o->n; i++)
			if (class_of(&o->rows[i], cls) && !line_of(t, "expense", cls) &&
			    !class_seen(c->s, others, k, i, cls))
				check_class_vs(c, kind, name, cls, NULL, others, no);
	}
}

static const int k2[] = {2}, k3[] = {3}, k5[] = {5}, k8[] = {8}, k10[] = {10};
static const int k5_8_10[] = {5, 8, 10};

/* Table 1 against tables 2 and 3. */
static void check_table1_cross(struct ctx *c)
{
	for (size_t i = 0; i < N_OF(fund_sources); i++)
		check_line_vs(c, 1, "declared_source_vs_table2", "income", fund_sources[i], k2, 1,
		              fund_sources[i], false);
	check_line_vs(c, 1, "declared_income_subtotal_vs_table2", "income", "income_subtotal", k2,
	              1, "income_subtotal", false);
	check_line_vs(c, 1, "declared_carryover_vs_table2", "income", "carryover", k2, 1,
	              "carryover", false);
	check_line_vs(c, 1, "declared_income_vs_table2", "income", "income_total", k2, 1, "total",
	              false);
	check_line_vs(c, 1, "declared_expenditure_vs_table3", "expense", "expense_subtotal", k3, 1,
	              "total", false);
	for (size_t i = 0; i < N_OF(expense_types); i++)
		check_line_vs(c, 1, "declared_expense_type_vs_table3", "expense", expense_types[i],
		              k3, 1, expense_types[i], false);
	check_classes_vs(c, 1, "declared_class_vs_table3", k3, 1);
}

/* fiscal_source_vs_table1: table 4's fiscal sources repeat table 1's. */
static void check_table4_vs_table1(struct ctx *c)
{
	struct figure act, exp;

	for (size_t i = 0; i < N_OF(fiscal_sources); i++)
		if (line_figure(&c->s->tables[4], "income", fiscal_sources[i], &act) &&
		    line_figure(&c->s->tables[1], "income", fiscal_sources[i], &exp))
			emit_figures(c, 4, "fiscal_source_vs_table1", fiscal_sources[i], &exp, &act,
			             false);
}

/* Table 4 against tables 1, 5, 8 and 10. */
static void check_table4_cross(struct ctx *c)
{
	check_table4_vs_table1(c);
	check_line_vs(c, 4, "fiscal_expenditure_vs_tables", "expense", "expense_subtotal", k5_8_10,
	              3, "total", false);
	for (size_t i = 0; i < N_OF(expense_types); i++)
		check_line_vs(c, 4, "fiscal_expense_type_vs_tables", "expense", expense_types[i],
		              k5_8_10, 3, expense_types[i], false);
	check_line_vs(c, 4, "fiscal_general_budget_vs_table5", "income", "general_budget", k5, 1,
	              "total", false);
	check_line_vs(c, 4, "fiscal_gov_fund_vs_table8", "income", "gov_fund", k8, 1, "total",
	              true);
	check_line_vs(c, 4, "fiscal_state_capital_vs_table10", "income", "state_capital", k10, 1,
	              "total", false);
	check_classes_vs(c, 4, "fiscal_class_vs_tables", k5_8_10, 3);
}

/* gpb_basic_vs_table6: table 5's 合计 row basic / personnel / public against table 6's. */
static void check_table5_vs_table6(struct ctx *c)
{
	static const char *const mine[] = {"basic", "personnel", "public"};
	static const char *const theirs[] = {"total", "personnel", "public"};
	struct figure act, exp;

	for (size_t i = 0; i < N_OF(mine); i++)
		if (table_figure(c->s, 5, mine[i], &act) && table_figure(c->s, 6, theirs[i], &exp))
			emit_figures(c, 5, "gpb_basic_vs_table6", mine[i], &exp, &act, false);
}

/* ---- final accounts (决算): FINAL_ACCOUNTS "Checks", F1.1-F9.1 and X1-X8 -- */

/* The three fiscal funds: table 4's columns, its income lines, table 1's. */
static const char *const funds[] = {"general_budget", "gov_fund", "state_capital"};
static const char *const fund_begin[] = {
    "carryover_begin:general_budget", "carryover_begin:gov_fund", "carryover_begin:state_capital"};
static const int fund_table[] = {5, 8, 10};

/* The income lines of a 决算 table 1 that add up to 本年收入合计. */
static const char *const final_sources[] = {"general_budget",    "gov_fund", "state_capital",
                                            "superior_subsidy",  "business", "operating",
                                            "subordinate_remit", "other"};
static const char *const final_sources_fa[] = {"fiscal_appropriation",
                                               "superior_subsidy",
                                               "business",
                                               "operating",
                                               "subordinate_remit",
                                               "other"};
static const char *const final_income_total[] = {"income_subtotal", "non_fiscal_surplus_used",
                                                 "carryover_begin"};
static const char *const final_expense_total[] = {"expense_subtotal", "surplus_distribution",
                                                  "carryover_end"};
static const char *const fiscal_income_total[] = {"income_subtotal", "carryover_begin"};
static const char *const fiscal_expense_total[] = {"expense_subtotal", "carryover_end"};

/* Measure key of the line role/code as a figure; false when absent. */
static bool line_key_figure(const struct sub_table *t, const char *role, const char *code,
                            const char *key, struct figure *f)
{
	const struct sub_row *r = line_of(t, role, code);
	bool found;

	if (!r)
		return false;
	f->v = sub_measure(r, key, &found);
	f->allow = half_of(r, key);
	if (found)
		measure_desc(f->desc, sizeof(f->desc), t->kind, r, key);
	return found;
}

/* The sum of the printed keys of one row (a missing key counts 0); false when none is. */
static bool row_keys_figure(int kind, const struct sub_row *r, const char *const *keys, size_t n,
                            const char *text, struct figure *f)
{
	size_t found = 0;

	f->v = 0;
	f->allow = 0;
	for (size_t i = 0; i < n; i++) {
		found += has_measure(r, keys[i]);
		f->v = add_sat(f->v, meas(r, keys[i], &f->allow));
	}
	if (!found)
		return false;
	if (n == 1)
		measure_desc(f->desc, sizeof(f->desc), kind, r, keys[0]);
	else {
		char where[DESC];

		row_where(where, sizeof(where), kind, r);
		snprintf(f->desc, sizeof(f->desc), "%s 的%s", where, text);
		text_utf8_cut(f->desc);
	}
	return true;
}

/*
 * Emit an inequality: act <= exp, with the same allowance as an identity
 * (X7: fiscal spending within all funds, fiscal balances within all).
 */
static void emit_at_most(struct ctx *c, int kind, const char *name, const char *subject,
                         const struct figure *act, const struct figure *exp)
{
	int64_t allow = add_sat(exp->allow, act->allow), over;
	char a[32], b[32], d[32];
	struct check *k;

	if (c->nomem)
		return;
	k = check_push(c->out);
	if (!k) {
		c->nomem = true;
		return;
	}
	over = act->v > exp->v ? abs_diff(act->v, exp->v) : 0;
	k->kind = kind;
	text_copy(k->name, sizeof(k->name), name);
	text_copy(k->subject, sizeof(k->subject), subject);
	k->expected = exp->v;
	k->actual = act->v;
	k->rows = 1;
	k->max_diff = over;
	k->passed = over <= add_sat(c->tol, allow);
	k->allowance = k->passed && over > c->tol ? allow : 0;
	if (!over)
		snprintf(k->message, sizeof(k->message), "%s %s 元不超过%s %s 元", act->desc,
		         amount_format(act->v, a, sizeof(a)), exp->desc,
		         amount_format(exp->v, b, sizeof(b)));
	else
		snprintf(k->message, sizeof(k->message), "%s %s 元超过%s %s 元 %s 元%s", act->desc,
		         amount_format(act->v, a, sizeof(a)), exp->desc,
		         amount_format(exp->v, b, sizeof(b)), amount_format(over, d, sizeof(d)),
		         k->allowance ? "，在逐格四舍五入的允许范围以内" : "");
	text_utf8_cut(k->message);
}

/* F1.1-F1.5: a 决算 table 1 on its own. */
static void final_table1(struct ctx *c, const struct sub_table *t)
{
	struct figure in, out;

	if (line_of(t, "income", "fiscal_appropriation"))
		check_line_sum(c, t, "income_subtotal_equals_sources", "income", "income_subtotal",
		               final_sources_fa, N_OF(final_sources_fa), 0, "各项收入之和");
	else
		check_line_sum(c, t, "income_subtotal_equals_sources", "income", "income_subtotal",
		               final_sources, N_OF(final_sources), 0, "各项收入之和");
	check_expense_classes(c, t);
	check_line_sum(c, t, "income_total_equals_parts", "income", "income_total",
	               final_income_total, N_OF(final_income_total), 1,
	               "本年收入合计、使用非财政拨款结余与年初结转和结余之和");
	check_line_sum(c, t, "expense_total_equals_parts", "expense", "expense_total",
	               final_expense_total, N_OF(final_expense_total), 1,
	               "本年支出合计、结余分配与年末结转和结余之和");
	if (line_figure(t, "income", "income_total", &in) &&
	    line_figure(t, "expense", "expense_total", &out))
		emit_figures(c, 1, "declared_income_equals_expenditure",
		             "income_total/expense_total", &in, &out, true);
}

/* F4.1-F4.4: a 决算 table 4 on its own. */
static void final_table4(struct ctx *c, const struct sub_table *t)
{
	static const struct row_rule by_fund = {
	    "fiscal_row_equals_funds",
	    "amount",
	    funds,
	    N_OF(funds),
	    0,
	    "同行一般公共预算、政府性基金预算、国有资本经营预算财政拨款之和"};
	struct figure in, out;

	check_line_sum(c, t, "income_subtotal_equals_sources", "income", "income_subtotal", funds,
	               N_OF(funds), 0, "各项财政拨款收入之和");
	check_expense_classes(c, t);
	for (size_t i = 0; i < t->n; i++)
		if (is_role(&t->rows[i], "expense"))
			check_row_rule(c, 4, &t->rows[i], &by_fund);
	check_line_sum(c, t, "carryover_begin_equals_funds", "income", "carryover_begin",
	               fund_begin, N_OF(fund_begin), 0, "年初财政拨款结转和结余各项之和");
	check_line_sum(c, t, "income_total_equals_parts", "income", "income_total",
	               fiscal_income_total, N_OF(fiscal_income_total), 1,
	               "本年收入合计与年初财政拨款结转和结余之和");
	check_line_sum(c, t, "expense_total_equals_parts", "expense", "expense_total",
	               fiscal_expense_total, N_OF(fiscal_expense_total), 1,
	               "本年支出合计与年末财政拨款结转和结余之和");
	if (line_figure(t, "income", "income_total", &in) &&
	    line_figure(t, "expense", "expense_total", &out))
		emit_figures(c, 4, "fiscal_income_equals_expenditure", "income_total/expense_total",
		             &in, &out, true);
	/* per fund: 年初 + 本年收入 = 本年支出 + 年末 */
	for (size_t f = 0; f < N_OF(funds); f++) {
		struct figure a, b, sp, end;
		bool has_a = line_figure(t, "income", fund_begin[f], &a);
		bool has_b = line_figure(t, "income", funds[f], &b);
		bool has_sp = line_key_figure(t, "expense", "expense_subtotal", funds[f], &sp);
		bool has_end = line_key_figure(t, "expense", "carryover_end", funds[f], &end);
		char subject[64];

		if (!has_a && !has_b && !has_sp && !has_end)
			continue;
		in.v = add_sat(has_a ? a.v : 0, has_b ? b.v : 0);
		in.allow = add_sat(has_a ? a.allow : 0, has_b ? b.allow : 0);
		snprintf(in.desc, sizeof(in.desc), "表4 %s 中%s的年初结转和结余与本年收入之和",
		         table_titles[4], label_of(funds[f]));
		out.v = add_sat(has_sp ? sp.v : 0, has_end ? end.v : 0);
		out.allow = add_sat(has_sp ? sp.allow : 0, has_end ? end.allow : 0);
		snprintf(out.desc, sizeof(out.desc), "本年支出与年末结转和结余之和");
		text_utf8_cut(in.desc);
		snprintf(subject, sizeof(subject), "fund/%s", funds[f]);
		emit_figures(c, 4, "fund_balance", subject, &in, &out, true);
	}
}

/* F7.1 on the 预算数 side of a 决算 table 7 (the 决算数 side is check_three_public). */
static void final_table7_budget(struct ctx *c, const struct sub_table *t)
{
	static const char *const veh[] = {"vehicle_purchase_budget", "vehicle_operation_budget"};
	static const char *const all[] = {"outbound_travel_budget", "vehicle_total_budget",
	                                  "official_reception_budget"};
	static const char *const all_split[] = {"outbound_travel_budget", "vehicle_purchase_budget",
	                                        "vehicle_operation_budget",
	                                        "official_reception_budget"};
	static const struct row_rule rule_veh = {"three_public_vehicle",
	                                         "vehicle_total_budget",
	                                         veh,
	                                         2,
	                                         2,
	                                         "公务用车购置费与运行费的预算数之和"};
	static const struct row_rule rule_all = {"three_public_total",  "total_budget", all, 3, 3,
	                                         "三项经费的预算数之和"};
	static const struct row_rule rule_split = {
	    "three_public_total", "total_budget", all_split, 4, 4, "四项经费的预算数之和"};

	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];

		if (!is_role(r, "three_public"))
			continue;
		check_row_rule(c, 7, r, &rule_veh);
		check_row_rule(c, 7, r,
		               has_measure(r, "vehicle_total_budget") ? &rule_all : &rule_split);
	}
}

/* F8.1 / F9.1: per row of a 决算 table 8 or 10, 年初 + 本年收入 = 本年支出 + 年末. */
static void final_fund_rows(struct ctx *c, const struct sub_table *t)
{
	static const char *const in_keys[] = {"carryover_begin", "year_income"};
	static const char *const out_keys[] = {"total", "carryover_end"};

	for (size_t i = 0; i < t->n; i++) {
		const struct sub_row *r = &t->rows[i];
		struct cmp q = {.kind = t->kind, .name = "fund_row_balance", .exp_first = true};

		if (!has_measure(r, "carryover_begin") && !has_measure(r, "year_income") &&
		    !has_measure(r, "carryover_end"))
			continue; /* the 支出-only form (national table 9): 合计 = 基本 + 项目 */
		if (!row_keys_figure(t->kind, r, in_keys, 2, "年初结转和结余与本年收入之和",
		                     &q.exp) ||
		    !row_keys_figure(t->kind, r, out_keys, 2, "本年支出与年末结转和结余之和",
		                     &q.act))
			continue;
		row_subject(q.subject, sizeof(q.subject), r, "balance");
		emit(c, &q);
	}
}

/* X1: table 1's fiscal income against table 2's 财政拨款收入 and table 4's 本年收入合计. */
static void final_fiscal_income(struct ctx *c)
{
	const struct sub_table *t1 = &c->s->tables[1];
	struct figure fiscal, part, other;
	size_t found = 0;

	if (line_figure(t1, "income", "fiscal_appropriation", &fiscal))
		found = 1;
	else {
		fiscal.v = fiscal.allow = 0;
		for (size_t i = 0; i < N_OF(funds); i++)
			if (line_figure(t1, "income", funds[i], &part)) {
				fiscal.v = add_sat(fiscal.v, part.v);
				fiscal.allow = add_sat(fiscal.allow, part.allow);
				found++;
			}
		snprintf(fiscal.desc, sizeof(fiscal.desc), "表1 %s 三项财政拨款收入之和",
		         table_titles[1]);
	}
	if (!found)
		return;
	if (tables_figure(c->s, k2, 1, "fiscal_appropriation", false, &other))
		emit_figures(c, 1, "declared_fiscal_vs_table2", "fiscal_appropriation", &other,
		             &fiscal, false);
	if (line_figure(&c->s->tables[4], "income", "income_subtotal", &other))
		emit_figures(c, 1, "declared_fiscal_vs_table4", "fiscal_appropriation", &other,
		             &fiscal, false);
}

/* X3, X5, X6: each fund column of table 4 against its own table (5, 8, 10). */
static void final_table4_funds(struct ctx *c)
{
	const struct sub_table *t4 = &c->s->tables[4];

	if (!present(c->s, 4))
		return;
	for (size_t f = 0; f < N_OF(funds); f++) {
		const int kind[] = {fund_table[f]};
		struct figure act, exp;
		char subject[64];

		if (!present(c->s, fund_table[f]))
			continue;
		snprintf(subject, sizeof(subject), "expense_subtotal/%s", funds[f]);
		if (line_key_figure(t4, "expense", "expense_subtotal", funds[f], &act) &&
		    tables_figure(c->s, kind, 1, "total", false, &exp))
			emit_figures(c, 4, "fiscal_fund_vs_table", subject, &exp, &act, false);
		/* per 类 (X3 for table 5; the same holds for 8 and 10) */
		for (size_t i = 0; i < t4->n; i++) {
			const struct sub_row *r = &t4->rows[i];

			if (!is_role(r, "expense") || !is_class_code(r->code) ||
			    !has_measure(r, funds[f]))
				continue;
			act.allow = 0;
			act.v = meas(r, funds[f], &act.allow);
			measure_desc(act.desc, sizeof(act.desc), 4, r, funds[f]);
			if (class_figure(c->s, fund_table[f], r->code, "total", &exp)) {
				snprintf(subject, sizeof(subject), "%s/%s", r->code, funds[f]);
				emit_figures(c, 4, "fiscal_fund_class_vs_table", subject, &exp,
				             &act, false);
			}
		}
		if (f == 0)
			continue;
		/* X5, X6: the fund tables' balances and income */
		snprintf(subject, sizeof(subject), "income/%s", funds[f]);
		if (line_figure(t4, "income", funds[f], &act) &&
		    tables_figure(c->s, kind, 1, "year_income", false, &exp))
			emit_figures(c, 4, "fiscal_fund_vs_table", subject, &exp, &act, false);
		snprintf(subject, sizeof(subject), "carryover_begin/%s", funds[f]);
		if (line_figure(t4, "income", fund_begin[f], &act) &&
		    tables_figure(c->s, kind, 1, "carryover_begin", false, &exp))
			emit_figures(c, 4, "fiscal_fund_vs_table", subject, &exp, &act, false);
		snprintf(subject, sizeof(subject), "carryover_end/%s", funds[f]);
		if (line_key_figure(t4, "expense", "carryover_end", funds[f], &act) &&
		    tables_figure(c->s, kind, 1, "carryover_end", false, &exp))
			emit_figures(c, 4, "fiscal_fund_vs_table", subject, &exp, &act, false);
	}
}

/* X4: table 5's basic spending against table 6's 人员经费合计 + 公用经费合计. */
static void final_table5_vs_table6(struct ctx *c)
{
	static const int k6[] = {6};
	struct figure basic, pers, pub;

	if (!table_figure(c->s, 5, "basic", &basic) ||
	    !tables_figure(c->s, k6, 1, "personnel", false, &pers) ||
	    !tables_figure(c->s, k6, 1, "public", false, &pub))
		return;
	pers.v = add_sat(pers.v, pub.v);
	pers.allow = add_sat(pers.allow, pub.allow);
	snprintf(pers.desc, sizeof(pers.desc), "表6 %s 人员经费合计与公用经费合计之和",
	         table_titles[6]);
	emit_figures(c, 5, "gpb_basic_vs_table6", "basic", &pers, &basic, false);
}

/* X7: fiscal spending per 项 within all funds, fiscal balances within all balances. */
static void final_inequalities(struct ctx *c)
{
	const struct sub_table *t3 = &c->s->tables[3];
	static const char *const ends[] = {"carryover_begin", "carryover_end"};

	for (size_t i = 0; present(c->s, 3) && i < t3->n; i++) {
		const struct sub_row *r = &t3->rows[i];
		struct figure all, fiscal = {0};
		size_t found = 0;

		if (!is_role(r, "leaf") || !has_measure(r, "total"))
			continue;
		all.allow = 0;
		all.v = meas(r, "total", &all.allow);
		measure_desc(all.desc, sizeof(all.desc), 3, r, "total");
		for (size_t f = 0; f < N_OF(fund_table); f++) {
			const struct sub_table *t = &c->s->tables[fund_table[f]];

			for (size_t j = 0; j < t->n; j++)
				if (is_role(&t->rows[j], "leaf") &&
				    !strcmp(t->rows[j].code, r->code)) {
					fiscal.v = add_sat(
					    fiscal.v, meas(&t->rows[j], "total", &fiscal.allow));
					found++;
				}
		}
		if (!found)
			continue;
		snprintf(fiscal.desc, sizeof(fiscal.desc),
		         "表5、表8、表%d 中 %s 的财政拨款支出之和", shown_no(10), r->code);
		emit_at_most(c, 3, "fiscal_within_all_funds", r->code, &fiscal, &all);
	}
	for (size_t k = 0; k < N_OF(ends); k++) {
		struct figure all, fiscal;
		const char *role = k ? "expense" : "income";

		if (line_figure(&c->s->tables[1], role, ends[k], &all) &&
		    line_figure(&c->s->tables[4], role, ends[k], &fiscal))
			emit_at_most(c, 4, "fiscal_balance_within_all", ends[k], &fiscal, &all);
	}
}

/*
 * X8: the non-fiscal balance rolls forward: (T1 年末 - T4 年末) = (T1 年初 -
 * T4 年初) + (T1 本年收入 - T4 本年收入) + 使用非财政拨款结余 - (T1 本年支出 -
 * T4 本年支出) - 结余分配.  Every figure must be printed, or the check is not made.
 */
static void final_roll_forward(struct ctx *c)
{
	const struct sub_table *t1 = &c->s->tables[1], *t4 = &c->s->tables[4];
	struct figure e1, e4, b1, b4, i1, i4, x1, x4, used = {0}, dist = {0}, exp, act;

	if (!line_figure(t1, "expense", "carryover_end", &e1) ||
	    !line_figure(t4, "expense", "carryover_end", &e4) ||
	    !line_figure(t1, "income", "carryover_begin", &b1) ||
	    !line_figure(t4, "income", "carryover_begin", &b4) ||
	    !line_figure(t1, "income", "income_subtotal", &i1) ||
	    !line_figure(t4, "income", "income_subtotal", &i4) ||
	    !line_figure(t1, "expense", "expense_subtotal", &x1) ||
	    !line_figure(t4, "expense", "expense_subtotal", &x4))
		return;
	line_figure(t1, "income", "non_fiscal_surplus_used", &used);
	line_figure(t1, "expense", "surplus_distribution", &dist);
	act.v = add_sat(e1.v, -e4.v);
	act.allow = add_sat(e1.allow, e4.allow);
	snprintf(act.desc, sizeof(act.desc), "非财政拨款年末结转和结余（表1 减 表4）");
	exp.v = add_sat(add_sat(add_sat(b1.v, -b4.v), add_sat(i1.v, -i4.v)),
	                add_sat(add_sat(used.v, -dist.v), add_sat(-x1.v, x4.v)));
	exp.allow = add_sat(add_sat(add_sat(b1.allow, b4.allow), add_sat(i1.allow, i4.allow)),
	                    add_sat(add_sat(used.allow, dist.allow), add_sat(x1.allow, x4.allow)));
	snprintf(exp.desc, sizeof(exp.desc),
	         "非财政拨款年初结转和结余加本年收入、使用非财政拨款结余，减本年支出、结余分配");
	emit_figures(c, 1, "non_fiscal_roll_forward", "carryover_end", &exp, &act, false);
}

/* Every identity of a 决算 submission (the within-table ones of its kinds first). */
static void final_checks(struct ctx *c)
{
	const struct submission *s = c->s;

	for (int k = 1; k <= MAX_KIND; k++) {
		const struct sub_table *t = &s->tables[k];

		if (is_classified(k)) {
			check_classified(c, t);
			if (k == 8 || k == 10)
				final_fund_rows(c, t);
		} else if (k == 1)
			final_table1(c, t);
		else if (k == 4)
			final_table4(c, t);
		else if (k == 7) {
			check_three_public(c, t);
			final_table7_budget(c, t);
		}
	}
	check_table1_cross(c); /* X1 (sources, 本年收入合计) and X2 (spending, 类) */
	final_fiscal_income(c);
	final_table4_funds(c);
	final_table5_vs_table6(c);
	final_inequalities(c);
	final_roll_forward(c);
}

/*
 * Run every check the submission allows, appending to out (which the caller
 * initialised, e.g. zeroed).  Returns 0, or -1 on ENOMEM (out then holds the
 * checks made so far, still owned by the caller).
 */
/* Every identity of a budget (or adjusted budget) submission. */
static void budget_checks(struct ctx *c)
{
	for (int k = 1; k <= MAX_KIND; k++) {
		const struct sub_table *t = &c->s->tables[k];

		if (is_classified(k))
			check_classified(c, t);
		else if (k == 1 || k == 4)
			check_two_sided(c, t);
		else if (k == 7)
			check_three_public(c, t);
		else if (k == 9)
			check_projects(c, t);
	}
	check_table1_cross(c);
	check_table4_cross(c);
	check_table5_vs_table6(c);
}

int checks_run(const struct submission *s, int64_t tolerance_fen, struct check_list *out)
{
	struct ctx c = {.s = s, .tol = tolerance_fen < 0 ? 0 : tolerance_fen, .out = out};

	table_titles = s->final ? final_titles : budget_titles;
	if (s->final)
		final_checks(&c);
	else
		budget_checks(&c);
	emit_tallies(&c);
	table_titles = budget_titles;
	if (c.nomem) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
