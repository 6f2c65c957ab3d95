#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "stream.h"
#include "textnorm.h"

#define CELL 1024

/* Fields that are not amounts: never parsed as money. */
static const char *const text_fields[] = {
    "code",         "code_class",   "code_section",  "code_item",  "name",
    "ignore",       "income_label", "expense_label", "side_label", "side_amount",
    "project_name", "supervisor",   "goal",          "l1",         "l2",
    "l3",           "target",
};

static int is_text_field(const char *f)
{
	for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
		if (strcmp(f, text_fields[i]) == 0)
			return 1;
	return 0;
}

static int none_row(const struct csv_record *rec);

/* A field that holds figures (an amount measure or a side's amount column). */
static int is_amount_field(const char *f)
{
	return !is_text_field(f) || strcmp(f, "side_amount") == 0;
}

static int is_function_kind(int k)
{
	return k == 2 || k == 3 || k == 5 || k == 6 || k == 8 || k == 10;
}

void table_init(struct table *t, const struct wording *w, FILE *out, const struct file_info *fi,
                dept_by_name_fn lookup, void *lookup_ctx)
{
	memset(t, 0, sizeof(*t));
	t->w = w;
	t->out = out;
	t->fi = *fi;
	t->dept_lookup = lookup;
	t->dept_ctx = lookup_ctx;
	t->state = T_PREAMBLE;
	t->decimals = -1;
	t->blocks = 1;
}

void table_free(struct table *t)
{
	for (int i = 0; i < t->nhdr; i++) {
		for (int j = 0; j < t->hdr_n[i]; j++)
			free(t->hdr[i][j]);
		free(t->hdr[i]);
	}
	free(t->cols);
	free(t->project);
	free(t->last_l1);
	free(t->last_l2);
	free(t->scratch);
	t->nhdr = 0;
	t->cols = NULL;
	t->project = t->last_l1 = t->last_l2 = t->scratch = NULL;
	t->scratch_cap = 0;
}

/* A buffer of at least n bytes owned by t, valid until the next call; NULL on ENOMEM. */
static char *scratch(struct table *t, size_t n)
{
	if (n > t->scratch_cap) {
		char *p = realloc(t->scratch, n);

		if (!p)
			return NULL;
		t->scratch = p;
		t->scratch_cap = n;
	}
	return t->scratch;
}

/* Replace *slot with a copy of s; false on ENOMEM (the slot keeps its text). */
static bool set_owned(char **slot, const char *s)
{
	char *c = strdup(s);

	if (!c)
		return false;
	free(*slot);
	*slot = c;
	return true;
}

/*
 * The record being read, its cells trimmed once each (a record's cells are
 * looked at many times: blank, note, header, amount...).  off[i] is the
 * trimmed cell's offset in text, -1 until asked for; text is sized for the
 * whole record when it starts (trimming never lengthens a cell), so the
 * pointers cellp() hands out stay valid until the next record.  Reset by
 * table_record() for every record (csvread hands every record in the same
 * struct).  A cell is kept whole: csvread caps a field at 1 MiB.
 */
static struct {
	const struct csv_record *rec;
	int n, cap;
	long *off;
	int *indent;
	char *text;
	size_t used, tcap;
} cache;

/* Prepare the cache for rec; false when memory ran out (the row is rejected). */
static bool cells_reset(const struct csv_record *rec)
{
	size_t need = rec->bytes;

	cache.rec = NULL;
	if (!need)
		for (int i = 0; i < rec->nfields; i++)
			need += strlen(rec->field[i]) + 1;
	if (rec->nfields > cache.cap) {
		long *off = realloc(cache.off, (size_t)rec->nfields * sizeof(long));
		int *ind = off ? realloc(cache.indent, (size_t)rec->nfields * sizeof(int)) : NULL;

		if (off)
			cache.off = off;
		if (!off || !ind)
			return false;
		cache.indent = ind;
		cache.cap = rec->nfields;
	}
	if (need + 1 > cache.tcap) {
		size_t cap = cache.tcap ? cache.tcap : 64 * 1024;
		char *t;

		while (cap < need + 1)
			cap *= 2;
		if (!(t = realloc(cache.text, cap)))
			return false;
		cache.text = t;
		cache.tcap = cap;
	}
	for (int i = 0; i < rec->nfields; i++)
		cache.off[i] = -1;
	cache.rec = rec;
	cache.n = rec->nfields;
	cache.used = 0;
	return true;
}

/*
 * The whole trimmed text of cell i (ASCII and full-width spaces), "" past
 * the last cell; *indent (may be NULL) gets its indentation.  Valid until
 * the next record.
 */
static const char *cellp_indent(const struct csv_record *rec, int i, int *indent)
{
	size_t n;

	if (indent)
		*indent = 0;
	if (i < 0 || i >= rec->nfields || rec != cache.rec || i >= cache.n)
		return "";
	if (cache.off[i] < 0) {
		n = strlen(rec->field[i]) + 1;
		text_trim(rec->field[i], cache.text + cache.used, n, &cache.indent[i]);
		cache.off[i] = (long)cache.used;
		cache.used += strlen(cache.text + cache.used) + 1;
	}
	if (indent)
		*indent = cache.indent[i];
	return cache.text + cache.off[i];
}

static const char *cellp(const struct csv_record *rec, int i)
{
	return cellp_indent(rec, i, NULL);
}

/*
 * A cell copied into buf (CELL bytes), for what is short or invalid when
 * long: codes, amounts, header and meta wording.  Text that is data (names,
 * project texts) is read whole with cellp().
 */
static const char *cell(const struct csv_record *rec, int i, char *buf)
{
	return text_copy(buf, CELL, cellp(rec, i));
}

static int blank_record(const struct csv_record *rec)
{
	char b[CELL];

	for (int i = 0; i < rec->nfields; i++)
		if (*cell(rec, i, b))
			return 0;
	return 1;
}

/* The record's cells joined with commas, for reject messages. */
static void join_record(const struct csv_record *rec, char *buf, size_t size)
{
	size_t used = 0;
	int last = rec->nfields;

	while (last > 0 && rec->field[last - 1][0] == '\0')
		last--;
	buf[0] = '\0';
	for (int i = 0; i < last && used + 1 < size; i++)
		used +=
		    (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "", rec->field[i]);
}

static void write_f(struct table *t)
{
	char year[16], kind[8], bytes[32], fyear[16];
	const char *f[F_NFIELDS];

	if (t->f_written)
		return;
	t->f_written = 1;
	snprintf(year, sizeof(year), "%d", t->year);
	snprintf(kind, sizeof(kind), "%d", t->title.kind > 0 && !t->skipped ? t->title.kind : 0);
	snprintf(bytes, sizeof(bytes), "%lld", t->fi.bytes);
	snprintf(fyear, sizeof(fyear), "%d", t->fi.folder_year);
	f[F_PATH] = t->fi.path;
	f[F_SHA256] = t->fi.sha256;
	f[F_BYTES] = bytes;
	f[F_ENCODING] = t->fi.encoding;
	f[F_COMPRESSION] = t->fi.compression;
	f[F_YEAR] = t->year ? year : "";
	f[F_DEPT] = t->dept_code;
	f[F_KIND] = kind;
	f[F_STAGE] = stage_name(t->title.stage);
	f[F_UNIT] = unit_name(t->unit);
	f[F_DEPT_NAME] = t->dept_name;
	f[F_TITLE] = t->title_text;
	f[F_FOLDER_YEAR] = t->fi.folder_year ? fyear : "";
	f[F_FOLDER_DEPT] = t->fi.folder_dept;
	f[F_SCOPE] = scope_name(t->title.scope);
	stream_write(t->out, 'F', F_NFIELDS, f);
}

static void write_j(struct table *t, long line, const char *column, const char *reason,
                    const char *message, const char *raw)
{
	char l[24], col[sizeof(((struct column *)0)->label)], msg[ETL_ERR_MSG + 64], rawc[CELL];
	const char *f[J_NFIELDS];

	/* Messages and labels were built by truncating snprintf calls. */
	text_copy(col, sizeof(col), column ? column : "");
	text_copy(msg, sizeof(msg), message);
	snprintf(l, sizeof(l), "%ld", line);
	f[J_LINE] = l;
	f[J_COLUMN] = col;
	f[J_REASON] = reason;
	f[J_MESSAGE] = msg;
	/* a raw cell is kept whole; a text joined into a buffer may end cut */
	if (!raw)
		raw = "";
	f[J_RAW] = text_valid_utf8(raw, strlen(raw)) ? raw : text_copy(rawc, sizeof(rawc), raw);
	stream_write(t->out, 'J', J_NFIELDS, f);
}

/* Reject the whole file at a line: F (if needed), one J; E comes at finish. */
static int reject_whole_at(struct table *t, long line, const char *column, const char *reason,
                           const char *message, const char *raw)
{
	write_f(t);
	write_j(t, line, column, reason, message, raw);
	t->rejected_whole = 1;
	t->state = T_DONE;
	return 1;
}

static int reject_whole(struct table *t, long line, const char *reason, const char *message,
                        const char *raw)
{
	return reject_whole_at(t, line, NULL, reason, message, raw);
}

void table_reject_file(struct table *t, const struct etl_err *err)
{
	char msg[ETL_ERR_MSG + 64];

	if (err->offset >= 0 && !strstr(err->message, "offset"))
		snprintf(msg, sizeof(msg), "%s (byte offset %lld)", err->message,
		         (long long)err->offset);
	else
		snprintf(msg, sizeof(msg), "%s", err->message);
	reject_whole(t, err->line, err->reason, msg, NULL);
}

/* Preamble: is this record the title?  Fills title, year, stage. */
static int try_title(struct table *t, const struct csv_record *rec)
{
	char b[CELL];

	for (int i = 0; i < rec->nfields; i++) {
		struct title_info ti;

		cell(rec, i, b);
		if (!*b)
			continue;
		ti = wording_title(t->w, b);
		if (ti.kind) {
			t->title = ti;
			text_copy(t->title_text, sizeof(t->title_text), b);
			return 1;
		}
		/* Only the first non-empty cell can be the title. */
		return 0;
	}
	return 0;
}

/*
 * One cell may hold both: "单位名称：某某局        单位：万元".  Take the
 * unit from the tail (from the last "单位" on) and cut it off the cell.
 */
static int split_unit_tail(struct table *t, char *cell_text)
{
	char *p = cell_text, *last = NULL;
	enum unit u;

	while ((p = strstr(p, "单位"))) {
		last = p;
		p += strlen("单位");
	}
	if (!last || last == cell_text)
		return 0;
	if (last - cell_text >= (long)strlen("金额") &&
	    strncmp(last - strlen("金额"), "金额", strlen("金额")) == 0)
		last -= strlen("金额");
	/* "2023年部门支出总表（单位：万元）": the parenthesis goes with the unit */
	if (last - cell_text >= (long)strlen("（") &&
	    strncmp(last - strlen("（"), "（", strlen("（")) == 0)
		last -= strlen("（");
	else if (last > cell_text && last[-1] == '(')
		last--;
	u = unit_from_cell(last);
	if (u == UNIT_NONE)
		return 0;
	t->unit = u;
	*last = '\0';
	return 1;
}

/* Scan a preamble record for the unit and the department; 1 if it had either. */
static int scan_meta(struct table *t, const struct csv_record *rec)
{
	char b[CELL];
	int found = 0;

	for (int i = 0; i < rec->nfields; i++) {
		const char *rest = NULL;
		enum unit u;

		cell(rec, i, b);
		if (!*b)
			continue;
		u = unit_from_cell(b);
		if (u != UNIT_NONE) {
			t->unit = u;
			found = 1;
			continue;
		}
		if (split_unit_tail(t, b))
			found = 1;
		if (wording_meta(t->w, "dept_prefix", b, &rest)) {
			char name[CELL];

			text_trim(rest, name, sizeof(name), NULL);
			text_copy(t->dept_name, sizeof(t->dept_name), name);
			found = 1;
		}
	}
	return found;
}

/* A line of column numbers ("栏次,1,2,3" or "1,2,3,...") carries no wording. */
static int column_numbers(const struct table *t, const struct csv_record *rec)
{
	char b[CELL];
	int expect = 1, seen = 0;

	for (int i = 0; i < rec->nfields; i++) {
		cell(rec, i, b);
		if (!*b)
			continue;
		if (!seen && wording_meta(t->w, "column_numbers", b, NULL))
			return 1;
		if (atoi(b) != expect || strspn(b, "0123456789") != strlen(b))
			return 0;
		expect++;
		seen = 1;
	}
	return seen && expect > 2;
}

static int numeric_cells(const struct csv_record *rec)
{
	char b[CELL];
	int n = 0;

	for (int i = 0; i < rec->nfields; i++)
		if (amount_looks_numeric(cell(rec, i, b)))
			n++;
	return n;
}

/* Cells that hold a number or a printed zero ("-", "—"): a data row's mark. */
static int value_cells(const struct csv_record *rec)
{
	char b[CELL];
	int n = 0;

	for (int i = 0; i < rec->nfields; i++) {
		cell(rec, i, b);
		if (amount_looks_numeric(b) || (*b && amount_is_blank(b)))
			n++;
	}
	return n;
}

/*
 * A line whose only non-empty cell is a note: it starts with a note prefix
 * and a colon ("注：…", "说明：…", meta.tsv note_prefix), or (not in table
 * 9, whose texts are free) says the table is empty ("本部门没有…").
 */
static int note_row(const struct table *t, const struct csv_record *rec)
{
	char b[CELL];
	int nonempty = 0, only = -1;

	/* the wording is looked up only for a line with a single non-empty cell */
	for (int i = 0; i < rec->nfields && nonempty < 2; i++) {
		cell(rec, i, b);
		if (!*b)
			continue;
		nonempty++;
		only = i;
	}
	if (nonempty != 1)
		return 0;
	cell(rec, only, b);
	if (wording_meta(t->w, "note_prefix", b, NULL))
		return 1;
	return t->title.kind != 9 && wording_meta(t->w, "note", b, NULL);
}

/* A sign-off line under the table ("制表人：…  联系电话：…"): nothing to load. */
static int footer_row(const struct table *t, const struct csv_record *rec)
{
	for (int i = 0; i < rec->nfields; i++) {
		const char *c = rec->field[i];

		c += strspn(c, " ");
		if (*c)
			return wording_meta(t->w, "footer", c, NULL);
	}
	return 0;
}

static void keep_header_row(struct table *t, const struct csv_record *rec)
{
	int i = t->nhdr++;

	t->hdr[i] = calloc((size_t)rec->nfields + 1, sizeof(char *));
	t->hdr_n[i] = rec->nfields;
	for (int j = 0; t->hdr[i] && j < rec->nfields; j++) {
		char b[CELL];

		t->hdr[i][j] = strdup(cell(rec, j, b));
	}
}

static const char *hdr_cell(const struct table *t, int row, int col)
{
	if (col >= t->hdr_n[row] || !t->hdr[row] || !t->hdr[row][col])
		return "";
	return t->hdr[row][col];
}

/*
 * A header cell may carry the unit: "合计（万元）", "金额(单位：元)".
 * Take the unit and strip the parenthesised part.
 */
static void strip_unit_suffix(struct table *t, char *text)
{
	char half[CELL];
	char *open;

	text_halfwidth(text, half, sizeof(half));
	open = strrchr(half, '(');
	if (!open || half[strlen(half) - 1] != ')')
		return;
	half[strlen(half) - 1] = '\0';
	if (unit_from_cell(open + 1) == UNIT_NONE)
		return;
	if (t->unit == UNIT_NONE)
		t->unit = unit_from_cell(open + 1);
	*open = '\0';
	snprintf(text, CELL, "%s", half);
}

/* Does s end with suffix?  (UTF-8 bytes) */
static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * Take out of a header part what only says the figures are the year's
 * budget (or final accounts), so that the wording underneath is matched:
 * "2024年机关运行经费预算数" -> 机关运行经费, "本年支出/预算数/基本支出" ->
 * 本年支出/基本支出.  In a 决算 table 7, whose columns come in 预算数/决算数
 * pairs, a 预算数 part sets *budget instead (the column is the budget side).
 */
static int clean_header_part(const struct table *t, char *part, int *budget)
{
	static const char *const layer[] = {"预算数", "决算数", "本年预算数"};
	char half[CELL], key[CELL];
	size_t n;

	text_halfwidth(part, half, sizeof(half));
	/* "无" in a header cell: an empty table's marker printed there, no wording */
	text_key(half, key, sizeof(key));
	if (strcmp(key, "无") == 0 || strcmp(key, "无数据") == 0) {
		*part = '\0';
		return 0;
	}
	/* a leading year: "2024年" or "2024年度" */
	n = strspn(half, "0123456789");
	if (n == 4 && strncmp(half + 4, "年", strlen("年")) == 0) {
		const char *r = half + 4 + strlen("年");

		if (strncmp(r, "度", strlen("度")) == 0)
			r += strlen("度");
		memmove(half, r, strlen(r) + 1);
	}
	text_key(half, key, sizeof(key));
	for (size_t i = 0; i < sizeof(layer) / sizeof(layer[0]); i++) {
		if (strcmp(key, layer[i]) == 0) {
			if (t->title.stage == STAGE_FINAL && i == 0)
				*budget = 1;
			snprintf(part, CELL, "%s", half);
			return 1; /* only the layer */
		}
		if (i < 2 && ends_with(key, layer[i])) {
			key[strlen(key) - strlen(layer[i])] = '\0';
			if (t->title.stage == STAGE_FINAL && i == 0)
				*budget = 1;
			snprintf(part, CELL, "%s", key);
			return 0;
		}
	}
	snprintf(part, CELL, "%s", half);
	return 0;
}

/*
 * Where the text of header cell (row, col) is: col itself when it is not
 * blank; for a blank, the nearest non-blank cell to its left on that row
 * whose cell above spans col too (a horizontally merged cell); -1 when there
 * is none (a blank under a vertically merged cell: "公务接待费" over two
 * rows beside "公务用车运行维护费" is not under it).  origin holds the rows
 * above, filled in order.
 */
static int merged_origin(const struct table *t, const int *origin, int row, int col)
{
	if (*hdr_cell(t, row, col))
		return col;
	for (int k = col - 1; k >= 0; k--) {
		if (row > 0 &&
		    origin[(row - 1) * t->ncols + k] != origin[(row - 1) * t->ncols + col])
			return -1;
		if (*hdr_cell(t, row, k))
			return k;
	}
	return -1;
}

/* origin[row * ncols + col] for every header cell (merged_origin). */
static void header_origins(const struct table *t, int *origin)
{
	for (int r = 0; r < t->nhdr; r++)
		for (int c = 0; c < t->ncols; c++)
			origin[r * t->ncols + c] = merged_origin(t, origin, r, c);
}

/* Header path of a column: parts from the top row down, merged cells filled. */
static int header_path(struct table *t, const int *origin, int col, char parts[][CELL], int *budget,
                       char *layer)
{
	int n = 0, leaf = -1;

	*layer = '\0';
	for (int r = 0; r < t->nhdr; r++)
		if (*hdr_cell(t, r, col))
			leaf = r;
	if (leaf < 0)
		return 0;
	for (int r = 0; r <= leaf; r++) {
		const char *c = hdr_cell(t, r, col);
		int at = origin[r * t->ncols + col];

		/* a blank above the leaf: the merged cell it belongs to, if any */
		if (!*c && r < leaf && at >= 0)
			c = hdr_cell(t, r, at);
		if (!*c)
			continue;
		snprintf(parts[n], CELL, "%s", c);
		strip_unit_suffix(t, parts[n]);
		/* a part that only says "budget figures" is a layer, dropped ... */
		if (clean_header_part(t, parts[n], budget)) {
			snprintf(layer, CELL, "%s", parts[n]);
			continue;
		}
		if (*parts[n])
			n++;
	}
	/* ... unless it is all the column's header ("项目,预算数,项目,预算数") */
	if (n == 0 && *layer) {
		snprintf(parts[n++], CELL, "%s", layer);
		*layer = '\0';
	}
	return n;
}

static int field_taken(const struct table *t, int upto, const char *field, int block)
{
	if (strcmp(field, "ignore") == 0 || strcmp(field, "side_amount") == 0 ||
	    strcmp(field, "side_label") == 0)
		return 0;
	for (int i = 0; i < upto; i++)
		if (strcmp(t->cols[i].field, field) == 0 && t->cols[i].block == block)
			return 1;
	return 0;
}

/* A code column starts a block: the second one starts the second block. */
static int starts_block(const char *field)
{
	return strcmp(field, "code") == 0 || strcmp(field, "code_class") == 0;
}

/* Tables 1 and 4: which side each label and amount column belongs to. */
static void assign_sides(struct table *t)
{
	int side = 0, labels = 0;

	for (int c = 0; c < t->ncols; c++) {
		struct column *col = &t->cols[c];

		if (strcmp(col->field, "side_label") == 0)
			snprintf(col->field, sizeof(col->field), "%s",
			         labels++ ? "expense_label" : "income_label");
		if (strcmp(col->field, "income_label") == 0)
			side = 1;
		else if (strcmp(col->field, "expense_label") == 0)
			side = 2;
		col->side = side;
	}
}

/* Does the header give what this kind of table needs? */
static const char *missing_field(const struct table *t)
{
	int code = 0, amount = 0, label = 0, project = 0;

	for (int c = 0; c < t->ncols; c++) {
		const char *f = t->cols[c].field;

		if (!strncmp(f, "code", 4) || !strcmp(f, "name"))
			code = 1;
		else if (!strcmp(f, "income_label") || !strcmp(f, "expense_label"))
			label = 1;
		else if (!strcmp(f, "project_name"))
			project = 1;
		else if (*f && !is_text_field(f))
			amount = 1;
		else if (!strcmp(f, "side_amount"))
			amount = 1;
	}
	if (is_function_kind(t->title.kind) && !code)
		return "科目编码或科目名称";
	if ((t->title.kind == 1 || t->title.kind == 4) && !label)
		return "收入/支出项目";
	if (t->title.kind == 9 && !project)
		return "项目名称";
	if (t->title.kind != 9 && !amount)
		return "金额";
	return NULL;
}

/*
 * "科目编码" merged over 类|款|项 columns with no second header row: the
 * columns right of it have no header at all.  Read them as split codes.
 */
static void split_merged_code(struct table *t)
{
	static const char *const split[] = {"code_class", "code_section", "code_item"};

	for (int c = 0; c + 1 < t->ncols; c++) {
		int n = 1;

		if (strcmp(t->cols[c].field, "code") != 0 || t->cols[c + 1].label[0])
			continue;
		while (c + n < t->ncols && n < 3 && !t->cols[c + n].label[0])
			n++;
		for (int i = 0; i < n; i++)
			snprintf(t->cols[c + i].field, sizeof(t->cols[c + i].field), "%s",
			         split[i]);
		c += n - 1; /* a second block may have its own */
	}
}

/* The fields of the header columns, from their merged paths (map_header). */
static int map_columns(struct table *t, long line, const int *origin)
{
	char parts[TABLE_MAX_HEADER_ROWS][CELL];
	char msg[ETL_ERR_MSG];
	const char *missing;

	for (int c = 0; c < t->ncols; c++) {
		const char *p[TABLE_MAX_HEADER_ROWS + 1];
		char layer[CELL];
		int budget = 0;
		int n = header_path(t, origin, c, parts, &budget, layer);

		t->cols[c].block = t->blocks - 1;
		const char *field;
		size_t used = 0;

		for (int i = 0; i < n; i++) {
			p[i] = parts[i];
			if (used <
			    sizeof(t->cols[c].label)) /* label + used must stay in the array */
				used += (size_t)snprintf(t->cols[c].label + used,
				                         sizeof(t->cols[c].label) - used, "%s%s",
				                         i ? "/" : "", parts[i]);
		}
		text_utf8_cut(t->cols[c].label);
		if (n == 0)
			continue;
		field = wording_header_field(t->w, t->title.kind, p, n);
		/* "收入/预算数": without its layer the column would read as the
		 * label above it; the layer is what says it holds the amounts */
		if (*layer && (!field || !is_amount_field(field))) {
			const char *with;

			p[n] = layer;
			with = wording_header_field(t->w, t->title.kind, p, n + 1);
			if (with && is_amount_field(with)) {
				size_t len = strlen(t->cols[c].label);

				field = with;
				snprintf(t->cols[c].label + len, sizeof(t->cols[c].label) - len,
				         "/%s", layer);
				text_utf8_cut(t->cols[c].label);
			}
		}
		if (field && budget && t->title.kind == 7 && !is_text_field(field)) {
			/* 决算 table 7: the 预算数 of a category is its budget_in_final */
			static char bfield[40];

			snprintf(bfield, sizeof(bfield), "%s_budget", field);
			field = bfield;
		}
		/* 决算 table 6: (code, name, amount) twice side by side on each line */
		if (field && starts_block(field) && t->blocks == 1 && field_taken(t, c, field, 0) &&
		    t->title.kind == 6) {
			t->blocks = 2;
		}
		t->cols[c].block = t->blocks - 1;
		if (!field) {
			snprintf(msg, sizeof(msg),
			         "表头第 %d 列“%s”无法识别（表 %d）；如是本地表头写法，请在 "
			         "config/wording/headers.tsv 中添加一行",
			         c + 1, t->cols[c].label, t->title.kind);
			return reject_whole(t, line, "unknown_header", msg, t->cols[c].label);
		}
		if (field_taken(t, c, field, t->cols[c].block)) {
			snprintf(msg, sizeof(msg), "表头第 %d 列“%s”与前面的列重复（%s）", c + 1,
			         t->cols[c].label, field);
			return reject_whole(t, line, "duplicate_header", msg, t->cols[c].label);
		}
		snprintf(t->cols[c].field, sizeof(t->cols[c].field), "%s", field);
	}
	if (t->title.kind == 1 || t->title.kind == 4)
		assign_sides(t);
	split_merged_code(t);
	missing = missing_field(t);
	if (missing) {
		snprintf(msg, sizeof(msg), "表头中没有“%s”列", missing);
		return reject_whole(t, line, "unknown_header", msg, NULL);
	}
	return 0;
}

/* Map every header column to a field; rejects the file on an unknown one. */
static int map_header(struct table *t, long line)
{
	int *origin, rc;

	t->ncols = 0;
	for (int r = 0; r < t->nhdr; r++)
		if (t->hdr_n[r] > t->ncols)
			t->ncols = t->hdr_n[r];
	t->cols = calloc((size_t)t->ncols + 1, sizeof(*t->cols));
	origin = calloc((size_t)t->ncols * (size_t)(t->nhdr ? t->nhdr : 1) + 1, sizeof(*origin));
	if (!t->cols || !origin) {
		free(origin);
		return reject_whole(t, line, "out_of_memory", "out of memory", NULL);
	}
	header_origins(t, origin);
	rc = map_columns(t, line, origin);
	free(origin);
	return rc;
}

/* After the header: the checks that need title, meta and folder together. */
static int check_identity(struct table *t, long line)
{
	char msg[ETL_ERR_MSG];

	/*
	 * No unit line: not refused here.  A table that prints no figure (an
	 * empty fund table) needs none; the first non-zero figure without a
	 * unit rejects the file (put_amounts), a unit is never guessed.
	 */
	/*
	 * Checked before t->year is set: F carries no year for a file rejected
	 * for its year, so normalize looks up no classification list for it
	 * (a missing list stops the run with exit 78).  A title year outside
	 * 1990-2100 is a typo, not a fiscal year, as for folders.
	 */
	if (t->title.year && (t->title.year < 1990 || t->title.year > 2100)) {
		snprintf(msg, sizeof(msg), "标题年度 %d 不是有效的预算年度", t->title.year);
		return reject_whole(t, t->title_line ? t->title_line : line, "bad_year", msg,
		                    t->title_text);
	}
	if (t->title.year && t->fi.folder_year && t->title.year != t->fi.folder_year) {
		snprintf(msg, sizeof(msg), "标题年度 %d 与目录年度 %d 不一致", t->title.year,
		         t->fi.folder_year);
		return reject_whole(t, t->title_line ? t->title_line : line, "year_mismatch", msg,
		                    t->title_text);
	}
	t->year = t->title.year ? t->title.year : t->fi.folder_year;
	if (!t->year)
		return reject_whole(t, t->title_line ? t->title_line : line, "no_year",
		                    "标题中没有年度，文件也不在 <年度>/<部门编码>/ 目录下",
		                    t->title_text);
	if (t->fi.folder_dept[0])
		snprintf(t->dept_code, sizeof(t->dept_code), "%s", t->fi.folder_dept);
	else if (t->dept_name[0] && t->dept_lookup) {
		const char *code = t->dept_lookup(t->dept_ctx, t->dept_name);

		if (code)
			snprintf(t->dept_code, sizeof(t->dept_code), "%s", code);
	}
	if (!t->dept_code[0]) {
		snprintf(msg, sizeof(msg),
		         "无法确定部门：文件不在 <年度>/<部门编码>/ 目录下，部门名称“%s”也不在 "
		         "config/departments.csv 中",
		         t->dept_name);
		return reject_whole(t, line, "no_department", msg, t->dept_name);
	}
	return 0;
}

/* Leave the header state: map columns, check identity, write F. */
static int start_data(struct table *t, long line)
{
	if (t->nhdr == 0)
		return reject_whole(t, line, "unknown_header", "标题之后没有表头行", NULL);
	if (map_header(t, line) || check_identity(t, line))
		return 1;
	write_f(t);
	t->state = T_DATA;
	return 0;
}

/* ---- data rows ---------------------------------------------------------- */

/* A value under no header would be money lost silently: refuse the row. */
static int check_unlabeled(struct table *t, const struct csv_record *rec)
{
	char b[CELL], msg[ETL_ERR_MSG];

	for (int c = 0; c < rec->nfields; c++) {
		if (c < t->ncols && t->cols[c].field[0])
			continue;
		if (*cell(rec, c, b) && !amount_is_blank(b) && amount_looks_numeric(b)) {
			snprintf(msg, sizeof(msg), "第 %d 列有数值“%s”但没有表头", c + 1, b);
			write_j(t, rec->line, "", "unlabeled_value", msg, b);
			return -1;
		}
	}
	return 0;
}

/*
 * Whether column c carries an amount of this side and block.  side 0: any
 * amount field (one-sided tables); tables 1 and 4: the side's amount
 * columns (its side_amount and, where a side prints several, their fields).
 */
static int amount_column(const struct column *col, int side, int block)
{
	if (col->block != block || !col->field[0]) /* a column with no header: nothing */
		return 0;
	if (side)
		return col->side == side && is_amount_field(col->field);
	return !is_text_field(col->field);
}

/* A cell that prints no figure: empty, or a dash ("-", "—", "–", "－"). */
static int blank_cell(const char *b)
{
	return !*b || strcmp(b, "-") == 0 || strcmp(b, "—") == 0 || strcmp(b, "–") == 0 ||
	       strcmp(b, "－") == 0 || strcmp(b, "——") == 0;
}

/* Whether a cell is a figure or a blank: not a word. */
static int is_amount_cell_text(const char *c)
{
	return !*c || blank_cell(c) || amount_looks_numeric(c) || amount_is_blank(c);
}

/* Decimals printed in an amount cell ("1,234.50" 2, "(12.5)" 1, "748" 0). */
static int printed_decimals(const char *b)
{
	char half[CELL];
	const char *dot;
	int n = 0;

	text_halfwidth(b, half, sizeof(half));
	dot = strrchr(half, '.');
	if (!dot)
		return 0;
	for (dot++; *dot >= '0' && *dot <= '9'; dot++)
		n++;
	return n;
}

/* The stream key of an amount column: side_amount is "amount" on tables 1 and 4. */
static const char *amount_key(const struct column *col)
{
	return strcmp(col->field, "side_amount") == 0 ? "amount" : col->field;
}

/*
 * Parse every amount column of a row (of one side and block) into the R
 * record; J on a bad one.  A blank cell is written with an empty value, a
 * printed figure with its amount (a check counts only printed figures).
 */
static int put_amounts_block(struct table *t, const struct csv_record *rec, FILE *fp, int side,
                             int block, int *nonzero);

static int put_amounts(struct table *t, const struct csv_record *rec, FILE *fp, int side,
                       int *nonzero)
{
	return put_amounts_block(t, rec, fp, side, 0, nonzero);
}

static int put_amounts_block(struct table *t, const struct csv_record *rec, FILE *fp, int side,
                             int block, int *nonzero)
{
	char b[CELL], yuan[40], msg[ETL_ERR_MSG];

	for (int c = 0; c < t->ncols; c++) {
		const struct column *col = &t->cols[c];
		struct etl_err e;
		int64_t fen;

		if (!amount_column(col, side, block))
			continue;
		cell(rec, c, b);
		if (blank_cell(b) && t->title.kind != 7) {
			stream_put_kv(fp, amount_key(col), "");
			continue;
		}
		etl_err_clear(&e);
		if (t->unit == UNIT_NONE && !amount_is_blank(b) && amount_looks_numeric(b)) {
			/* the first figure of a table without a unit line: never guessed */
			reject_whole_at(
			    t, rec->line, col->label, "no_unit",
			    "表中有金额，但找不到金额单位（“单位：万元”或“单位：元”），不作猜测",
			    b);
			return -1;
		}
		if (amount_parse(b, t->unit == UNIT_NONE ? UNIT_YUAN : t->unit, &fen, &e) < 0) {
			snprintf(msg, sizeof(msg), "“%s”列的金额“%s”%s", col->label, b,
			         strstr(e.message, "范围")
			             ? "超出可装载的范围（绝对值须小于 10¹⁶ 元）"
			             : "不是数字");
			write_j(t, rec->line, col->label, "bad_amount", msg, b);
			return -1;
		}
		if (!blank_cell(b) && printed_decimals(b) > t->decimals)
			t->decimals = printed_decimals(b);
		if (fen) {
			*nonzero = 1;
			t->figures++;
		}
		stream_put_kv(fp, amount_key(col), amount_format(fen, yuan, sizeof(yuan)));
	}
	return 0;
}

static int col_of(const struct table *t, const char *field)
{
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].field, field) == 0)
			return c;
	return -1;
}

static int col_of_block(const struct table *t, const char *field, int block)
{
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].field, field) == 0 && t->cols[c].block == block)
			return c;
	return -1;
}

/* The key of a total label ("人员经费合计" -> personnel_total), or NULL. */
static const char *total_key(const struct table *t, const char *label)
{
	const char *k = wording_label(t->w, "total", label);

	return k && strcmp(k, "total") != 0 ? k : NULL;
}

/* Numbers among the cells of a block's columns (all cells for one block). */
static int numeric_cells_block(const struct table *t, const struct csv_record *rec, int block)
{
	char b[CELL];
	int n = 0;

	for (int c = 0; c < rec->nfields; c++)
		if ((t->blocks == 1 || (c < t->ncols && t->cols[c].block == block)) &&
		    amount_looks_numeric(cell(rec, c, b)))
			n++;
	return n;
}

static int col_of_side(const struct table *t, const char *field, int side)
{
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].field, field) == 0 && t->cols[c].side == side)
			return c;
	return -1;
}

static void begin_r(FILE *fp, long line, const char *role, const char *code, const char *name)
{
	char l[24];

	snprintf(l, sizeof(l), "%ld", line);
	putc('R', fp);
	stream_put_field(fp, l);
	stream_put_field(fp, role);
	stream_put_field(fp, code);
	stream_put_field(fp, name);
}

/*
 * The code and name of a classified row, in whatever layout it came.  *name
 * points to the whole name (the cell, or t's scratch when it was split from
 * a code), valid until the next record.  *total: the row is a 合计/总计/小计
 * row, its label printed in whatever column.  raw: the code as printed in
 * split cells ("301|2") when a leading zero had to be put back (else "").
 */
static int row_code_name(struct table *t, const struct csv_record *rec, int block, char *code,
                         const char **name, int *indent, int *total, char *raw)
{
	char b[CELL], msg[ETL_ERR_MSG];
	struct etl_err e;
	int cc = col_of_block(t, "code", block), cn = col_of_block(t, "name", block), rc = 0;
	int k1 = col_of_block(t, "code_class", block), k2 = col_of_block(t, "code_section", block),
	    k3 = col_of_block(t, "code_item", block);
	const char *bad = NULL;
	char *nm;

	etl_err_clear(&e);
	code[0] = '\0';
	raw[0] = '\0';
	*total = 0;
	*name = cellp_indent(rec, cn, indent);
	/* a label in a code cell ("合计" in the 类 column) makes a total row */
	{
		const int cells[] = {cc, k1, cn};

		for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
			if (cells[i] >= 0 && *cellp(rec, cells[i]) &&
			    wording_label(t->w, "total", cellp(rec, cells[i]))) {
				*name = cellp(rec, cells[i]);
				*total = 1;
				return 0;
			}
	}
	if (k1 >= 0) {
		char c2[CELL], c3[CELL];
		bool padded = false;

		rc = code_join(cell(rec, k1, b), cell(rec, k2, c2), cell(rec, k3, c3), code,
		               &padded, &e);
		bad = b;
		/* as printed, one part per split column: "301|2", "210|1|2" */
		if (rc == 1 && padded)
			snprintf(raw, CELL, "%s|%s%s%s", b, c2, k3 >= 0 ? "|" : "",
			         k3 >= 0 ? c3 : "");
	} else if (cc >= 0) {
		const char *whole = cellp(rec, cc);

		cell(rec, cc, b);
		bad = b;
		if (!(nm = scratch(t, strlen(whole) + 1)))
			rc = etl_fail(&e, "out_of_memory", 0, NULL, "内存不足");
		else
			rc = code_split_cell(whole, code, nm, strlen(whole) + 1, &e);
		if (rc >= 0 && !(*name)[0])
			*name = nm;
		if (rc == 0)
			code[0] = '\0';
	}
	/* a name of its own column may carry the code ("2010301 行政运行") */
	if (rc == 0 && !code[0] && (*name)[0] && *name != t->scratch) {
		const char *whole = *name;

		if (!(nm = scratch(t, strlen(whole) + 1))) {
			rc = etl_fail(&e, "out_of_memory", 0, NULL, "内存不足");
		} else {
			rc = code_split_cell(whole, code, nm, strlen(whole) + 1, &e);
			bad = whole;
			if (rc == 1)
				*name = nm;
			else if (rc == 0)
				code[0] = '\0';
		}
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "科目编码“%.200s”格式不对：%s", bad ? bad : "",
		         e.message);
		write_j(t, rec->line, "科目编码", "bad_code", msg, bad);
		return -1;
	}
	return 0;
}

/*
 * One classified row (or the 合计 row) of a block: 1 when an R was written,
 * 0 when the block is empty, -1 when the row is rejected.
 */
static int classified_block(struct table *t, const struct csv_record *rec, FILE *fp, int block)
{
	char code[CELL], raw[CELL], printed[CELL];
	const char *name;
	int indent, nonzero = 0, total;
	const char *role = "row";

	if (row_code_name(t, rec, block, code, &name, &indent, &total, printed) < 0)
		return -1;
	if (!code[0] && !name[0]) {
		if (numeric_cells_block(t, rec, block) == 0)
			return 0; /* a blank line, or a blank block */
		join_record(rec, raw, sizeof(raw));
		write_j(t, rec->line, "科目编码", "missing_code", "有金额但没有科目编码和名称",
		        raw);
		return -1;
	}
	if (total || (!code[0] && wording_label(t->w, "total", name)))
		role = "total";
	begin_r(fp, rec->line, role, code, name);
	if (indent) {
		char ind[16];

		snprintf(ind, sizeof(ind), "%d", indent);
		stream_put_kv(fp, "indent", ind);
	}
	if (printed[0])
		stream_put_kv(fp, "raw_code", printed);
	if (t->blocks > 1) {
		char b[8];

		snprintf(b, sizeof(b), "%d", block + 1);
		stream_put_kv(fp, "block", b);
	}
	if (total && total_key(t, name))
		stream_put_kv(fp, "label", total_key(t, name));
	return put_amounts_block(t, rec, fp, 0, block, &nonzero) < 0 ? -1 : 1;
}

/* Tables 2, 3, 5, 6, 8, 10: one classified row per block of the line. */
static int data_classified(struct table *t, const struct csv_record *rec, FILE *fp)
{
	int wrote = 0;

	for (int block = 0; block < t->blocks; block++) {
		int rc = classified_block(t, rec, fp, block);

		if (rc < 0)
			return -1;
		if (rc > 0) {
			putc('\n', fp);
			wrote = 1;
		}
	}
	return wrote ? 2 : 0;
}

/* Tables 1 and 4: the income and the expense side of one line. */
static int data_two_sided(struct table *t, const struct csv_record *rec, FILE *fp)
{
	static const char *const role[] = {"", "income", "expense"};
	char ctxkey[80];
	int wrote = 0;

	for (int side = 1; side <= 2; side++) {
		int lc = col_of_side(t, side == 1 ? "income_label" : "expense_label", side);
		char b[CELL];
		const char *key, *label;
		int nonzero = 0, ac = col_of_side(t, "side_amount", side);

		if (lc < 0)
			continue;
		label = cellp(rec, lc);
		if (!label[0]) {
			if (ac >= 0 && !amount_is_blank(cell(rec, ac, b))) {
				write_j(t, rec->line, t->cols[ac].label, "missing_label",
				        "有金额但没有项目名称", b);
				return -1;
			}
			continue;
		}
		key = wording_label(t->w, role[side], label);
		/*
		 * 决算 table 4 prints the fund labels twice: the year's income,
		 * then, after 年初财政拨款结转和结余, the carryover by fund.  The
		 * place decides, not the label.
		 */
		if (side == 1 && key && strcmp(key, "carryover_begin") == 0)
			snprintf(t->context, sizeof(t->context), "%s", key);
		else if (side == 1 && (!key || (strcmp(key, "general_budget") != 0 &&
		                                strcmp(key, "gov_fund") != 0 &&
		                                strcmp(key, "state_capital") != 0)))
			t->context[0] = '\0';
		if (side == 1 && key && t->context[0] && strcmp(key, "carryover_begin") != 0) {
			snprintf(ctxkey, sizeof(ctxkey), "%s:%s", t->context, key);
			key = ctxkey;
		}
		begin_r(fp, rec->line, role[side], key ? key : "", label);
		if (put_amounts(t, rec, fp, side, &nonzero) < 0)
			return -1;
		putc('\n', fp);
		wrote = 1;
	}
	return wrote ? 2 : 0;
}

/* Table 7: the one data row (later numeric rows are refused, not dropped). */
static int data_three_public(struct table *t, const struct csv_record *rec, FILE *fp)
{
	char raw[CELL];
	int nonzero = 0;

	if (t->three_public_done) {
		join_record(rec, raw, sizeof(raw));
		write_j(t, rec->line, "", "unexpected_row", "“三公”经费表只应有一行数据", raw);
		return -1;
	}
	begin_r(fp, rec->line, "three_public", "", "");
	if (put_amounts(t, rec, fp, 0, &nonzero) < 0)
		return -1;
	t->three_public_done = 1;
	return 1;
}

static void put_text(FILE *fp, const struct table *t, const struct csv_record *rec,
                     const char *field, const char *key)
{
	stream_put_kv(fp, key, cellp(rec, col_of(t, field)));
}

/* Table 9: a project line, an indicator line, or both on one line. */
static int data_projects(struct table *t, const struct csv_record *rec, FILE *fp)
{
	char b[CELL], yuan[40], msg[ETL_ERR_MSG];
	const char *name, *l1, *l2;
	int ac = col_of(t, "amount"), has_ind = 0;
	const char *ind_fields[] = {"l1", "l2", "l3", "target"};

	name = cellp(rec, col_of(t, "project_name"));
	for (int i = 0; i < 4; i++)
		if (*cellp(rec, col_of(t, ind_fields[i])))
			has_ind = 1;
	if (!name[0] && !has_ind) {
		if (numeric_cells(rec) == 0)
			return 0; /* a note or an empty line */
		join_record(rec, msg, sizeof(msg));
		write_j(t, rec->line, "项目名称", "missing_project",
		        "这一行有金额但没有项目名称也没有绩效指标", msg);
		return -1;
	}
	if (name[0]) {
		struct etl_err e;
		int64_t fen = 0;

		etl_err_clear(&e);
		if (ac >= 0 && amount_parse(cell(rec, ac, b), t->unit, &fen, &e) < 0) {
			snprintf(msg, sizeof(msg), "资金总额“%s”不是数字", b);
			write_j(t, rec->line, t->cols[ac].label, "bad_amount", msg, b);
			return -1;
		}
		if (!set_owned(&t->project, name) || !set_owned(&t->last_l1, "") ||
		    !set_owned(&t->last_l2, "")) {
			write_j(t, rec->line, "项目名称", "out_of_memory", "内存不足", "");
			return -1;
		}
		t->projects++;
		begin_r(fp, rec->line, "project", "", name);
		stream_put_kv(fp, "amount", amount_format(fen, yuan, sizeof(yuan)));
		put_text(fp, t, rec, "supervisor", "supervisor");
		put_text(fp, t, rec, "goal", "goal");
		putc('\n', fp);
	} else if (!t->projects) {
		join_record(rec, msg, sizeof(msg));
		write_j(t, rec->line, "项目名称", "missing_project", "绩效指标前面没有项目", msg);
		return -1;
	}
	if (!has_ind)
		return 2;
	begin_r(fp, rec->line, "indicator", "", t->project);
	/* Merged 一级/二级指标 cells export as blanks: take the one above. */
	l1 = cellp(rec, col_of(t, "l1"));
	l2 = cellp(rec, col_of(t, "l2"));
	if (!l1[0])
		l1 = t->last_l1 ? t->last_l1 : "";
	if (!l2[0] && t->last_l1 && !strcmp(l1, t->last_l1))
		l2 = t->last_l2 ? t->last_l2 : "";
	stream_put_kv(fp, "l1", l1);
	stream_put_kv(fp, "l2", l2);
	/* copies after use: l1 may be last_l1 itself */
	if ((l1 != t->last_l1 && !set_owned(&t->last_l1, l1)) ||
	    (l2 != t->last_l2 && !set_owned(&t->last_l2, l2))) {
		write_j(t, rec->line, "一级指标", "out_of_memory", "内存不足", "");
		return -1;
	}
	put_text(fp, t, rec, "l3", "l3");
	put_text(fp, t, rec, "target", "target");
	return 1;
}

/*
 * One data record.  The R records are built in a memory stream and written
 * only when the whole record was read, so a rejected record leaves no R.
 */
/*
 * A 合计 row that prints the sub-headers of a merged header cell
 * ("本年支出" over three columns, and "合计,基本支出,项目支出" under it on
 * the 合计 row itself, as some 决算 templates do): those words name the
 * columns, which the header left unnamed.  Returns 1 when the columns were
 * named from row rec (the row itself is then no data: the caller rejects
 * it, saying why), 0 when rec is no such row.
 */
static int subheaders_in_total_row(struct table *t, const struct csv_record *rec)
{
	int first = -1, named = 0, unnamed = 0;

	for (int c = 0; c < t->ncols && !unnamed; c++)
		unnamed = !t->cols[c].field[0];
	if (!unnamed || !is_function_kind(t->title.kind))
		return 0;
	for (int i = 0; i < rec->nfields && i < 2 && first < 0; i++)
		if (*cellp(rec, i))
			first = i;
	if (first < 0 || !wording_label(t->w, "total", cellp(rec, first)))
		return 0;
	for (int p = 0; p < t->ncols; p++) {
		char fields[8][32];
		int end = p + 1, ok = 1;

		/* p: a named column followed by unnamed ones, every one with a word here */
		if (!t->cols[p].field[0] || is_amount_cell_text(cellp(rec, p)))
			continue;
		while (end < t->ncols && end - p < 8 && !t->cols[end].field[0] &&
		       *cellp(rec, end) && !is_amount_cell_text(cellp(rec, end)))
			end++;
		if (end - p < 2)
			continue;
		for (int c = p; c < end && ok; c++) {
			char parent[CELL], word[CELL];
			const char *parts[2] = {parent, word};
			const char *f;

			snprintf(parent, sizeof(parent), "%s", t->cols[p].label);
			text_halfwidth(cellp(rec, c), word, sizeof(word));
			f = wording_header_field(t->w, t->title.kind, parts, 2);
			ok = f && is_amount_field(f);
			if (ok)
				snprintf(fields[c - p], sizeof(fields[0]), "%s", f);
			for (int k = p; ok && k < c; k++)
				ok = strcmp(fields[k - p], fields[c - p]) != 0;
		}
		for (int c = end; ok && c-- > p;)
			for (int k = 0; ok && k < t->ncols; k++)
				ok = (k >= p && k < end) ||
				     strcmp(t->cols[k].field, fields[c - p]) != 0 ||
				     t->cols[k].block != t->cols[p].block;
		if (!ok)
			continue;
		for (int c = end; c-- > p;) {
			char label[sizeof(t->cols[0].label)];

			snprintf(label, sizeof(label), "%s/%s", t->cols[p].label, cellp(rec, c));
			text_utf8_cut(label);
			snprintf(t->cols[c].label, sizeof(t->cols[c].label), "%s", label);
			snprintf(t->cols[c].field, sizeof(t->cols[c].field), "%s", fields[c - p]);
			t->cols[c].block = t->cols[p].block;
		}
		named = 1;
		p = end - 1;
	}
	return named;
}

static void data_record(struct table *t, const struct csv_record *rec)
{
	/* one memory stream for every record, rewound each time */
	static char *buf;
	static size_t len;
	static FILE *fp;
	long n;
	int rc;

	if (!fp && !(fp = open_memstream(&buf, &len))) {
		t->rejected++;
		return;
	}
	rewind(fp);
	if (note_row(t, rec) || footer_row(t, rec) || none_row(rec))
		rc = 0;
	else if (subheaders_in_total_row(t, rec)) {
		write_j(t, rec->line, "", "subheaders_in_total_row",
		        "合计行中印的是上面合并表头的分栏名称（如“合计、基本支出、项目支出”），"
		        "已据此确定各列；该行本身不作数据装载",
		        cellp(rec, 0));
		rc = -1;
	} else if (check_unlabeled(t, rec) < 0)
		rc = -1;
	else if (t->title.kind == 1 || t->title.kind == 4)
		rc = data_two_sided(t, rec, fp);
	else if (t->title.kind == 7)
		rc = data_three_public(t, rec, fp);
	else if (t->title.kind == 9)
		rc = data_projects(t, rec, fp);
	else
		rc = data_classified(t, rec, fp);
	if (rc == 1)
		putc('\n', fp);
	n = fflush(fp) == 0 ? ftell(fp) : -1;
	if (n < 0)
		rc = -1; /* out of memory: the record is not written */
	if (rc > 0) {
		fwrite(buf, 1, (size_t)n, t->out);
		t->facts++;
	} else if (rc == 0)
		t->meta++;
	else
		t->rejected++;
}

/* ---- the record state machine ------------------------------------------- */

static int preamble_record(struct table *t, const struct csv_record *rec)
{
	if (!t->title.kind) {
		char b[CELL];

		if (try_title(t, rec)) {
			t->title_line = rec->line;
			t->meta++;
			if (t->title.kind == TITLE_SKIP) {
				/* a provincial extra (项目支出决算表 …): nothing of it is read */
				t->skipped = 1;
				t->state = T_DONE;
				return 0;
			}
			scan_meta(t, rec);
			return 0;
		}
		cell(rec, 0, b);
		if (wording_meta(t->w, "table_number", b, NULL) || scan_meta(t, rec) ||
		    rec->index < TABLE_MAX_PREAMBLE) {
			t->meta++;
			return 0;
		}
		if (t->fi.encoding_needs_proof)
			return reject_whole(
			    t, 0, "unproven_encoding",
			    "解码后前几行中找不到已知的表标题：编码无法确认（可能是 Big5 "
			    "或其他编码），文件未装载",
			    NULL);
		return reject_whole(t, 0, "unknown_table",
		                    "前几行中找不到已知的表标题；如是本地标题写法，请在 "
		                    "config/wording/titles.tsv 中添加一行",
		                    NULL);
	}
	if (scan_meta(t, rec)) {
		t->meta++;
		return 0;
	}
	t->state = T_HEADER;
	return -1; /* not consumed: the header state takes it */
}

static int nonempty_cells(const struct csv_record *rec)
{
	char b[CELL];
	int n = 0;

	for (int i = 0; i < rec->nfields; i++)
		if (*cell(rec, i, b))
			n++;
	return n;
}

/*
 * A row that says the table is empty: its only non-empty cell is 无 (or 无数据,
 * 空), anywhere.  Nothing to load, nothing lost.
 */
static int none_row(const struct csv_record *rec)
{
	const char *only = NULL;

	for (int i = 0; i < rec->nfields; i++) {
		const char *c = cellp(rec, i);

		if (!*c)
			continue;
		if (only)
			return 0;
		only = c;
	}
	return only && (strcmp(only, "无") == 0 || strcmp(only, "无数据") == 0 ||
	                strcmp(only, "空") == 0 || strcmp(only, "（无）") == 0);
}

/*
 * A row whose first non-empty cell is a total label (合计, 总计, 小计,
 * 本年收入合计 …), printed in whatever column (the name column, the code
 * column, the 类 cell of split codes), the rest blank or figures: a data
 * row even when it prints no figure (the 合计 row of an empty fund table),
 * never a header row.  Only after a header row: a title block is no data.
 */
/* Whether the header rows read so far head column col as a code or name column. */
static int under_label_heading(const struct table *t, int col)
{
	char parts[TABLE_MAX_HEADER_ROWS][CELL];
	const char *p[TABLE_MAX_HEADER_ROWS];
	const char *f;
	int n = 0;

	for (int r = 0; r < t->nhdr; r++) {
		const char *c = hdr_cell(t, r, col);

		if (*c) {
			text_halfwidth(c, parts[n], CELL);
			p[n] = parts[n];
			n++;
		}
	}
	if (!n)
		return 0;
	f = wording_header_field(t->w, t->title.kind, p, n);
	return f && (strncmp(f, "code", 4) == 0 || strcmp(f, "name") == 0);
}

static int label_row(const struct table *t, const struct csv_record *rec)
{
	for (int i = 0; i < rec->nfields && i < 6; i++) {
		const char *c = cellp(rec, i);

		if (!*c)
			continue;
		if (!wording_label(t->w, "total", c))
			return 0;
		/* in a classified table a 合计 under the code or name column is
		 * the 合计 row, whatever its other cells hold (a template that
		 * printed 本年支出's sub-headers on it); under an amount heading
		 * ("本年支出/预算数" over ",合计,基本支出,项目支出") it is a header */
		if (i < 2 && is_function_kind(t->title.kind) && under_label_heading(t, i))
			return 1;
		for (int j = i + 1; j < rec->nfields; j++) {
			const char *d = cellp(rec, j);

			if (*d && !blank_cell(d) && !amount_looks_numeric(d) &&
			    !wording_label(t->w, "total", d))
				return 0;
		}
		return 1;
	}
	return 0;
}

static int header_record(struct table *t, const struct csv_record *rec)
{
	/* A unit or department line may sit between title and header, but a
	 * header row with many cells is never taken for one. */
	if (column_numbers(t, rec) || (nonempty_cells(rec) <= 2 && scan_meta(t, rec))) {
		t->meta++;
		return 0;
	}
	if (none_row(rec)) {
		t->meta++;
		return 0;
	}
	if (value_cells(rec) == 0 && !note_row(t, rec) && !(t->nhdr > 0 && label_row(t, rec))) {
		if (t->nhdr == TABLE_MAX_HEADER_ROWS)
			return reject_whole(t, rec->line, "unknown_header",
			                    "表头超过 4 行，无法识别数据从哪一行开始", NULL);
		keep_header_row(t, rec);
		t->meta++;
		return 0;
	}
	if (start_data(t, rec->line))
		return 1;
	data_record(t, rec);
	return 0;
}

int table_record(struct table *t, const struct csv_record *rec)
{
	bool cached = cells_reset(rec);

	t->records++;
	if (t->skipped) { /* read to the end: its records are counted, as meta */
		t->meta++;
		return 0;
	}
	if (t->state == T_DONE)
		return 1;
	if (!cached)
		return reject_whole(t, rec->line, "out_of_memory", "内存不足，无法读取这一行",
		                    NULL);
	if (rec->oversize_field) {
		char msg[ETL_ERR_MSG], col[16];

		snprintf(msg, sizeof(msg),
		         "第 %d 列的内容长 %zu 字节，超过每格 %d 字节（1 MiB）的上限（README "
		         "“Limits”）%s",
		         rec->oversize_field, rec->oversize_len, CSVREAD_MAX_FIELD,
		         t->state == T_DATA ? "，该行不予读取" : "，在表头之前：整个文件不予读取");
		if (t->state != T_DATA)
			return reject_whole(t, rec->line, "too_long", msg, NULL);
		snprintf(col, sizeof(col), "%d", rec->oversize_field);
		write_j(t, rec->line, col, "too_long", msg, "");
		t->rejected++;
		return 0;
	}
	if (blank_record(rec)) {
		t->meta++;
		return 0;
	}
	if (t->state == T_PREAMBLE) {
		int rc = preamble_record(t, rec);

		if (rc >= 0)
			return rc;
	}
	if (t->state == T_HEADER)
		return header_record(t, rec);
	data_record(t, rec);
	return 0;
}

/*
 * Half a unit of the table's printed precision, in fen: from its unit and the
 * most decimals printed in its value cells (万元 with 2 decimals: 5000 fen =
 * 50 元; whole 元: 50 fen; 元 with fen: 0).  The rounding allowance of a
 * check is k times this (FINAL_ACCOUNTS "Checks").
 */
static long half_unit(const struct table *t)
{
	int scale = t->unit == UNIT_WAN ? 6 : 2, d = t->decimals < 0 ? 0 : t->decimals;
	long h = 5;

	if (t->unit == UNIT_NONE || t->decimals < 0 || d >= scale)
		return 0;
	for (int i = d + 1; i < scale; i++)
		h *= 10;
	return h;
}

void table_finish(struct table *t)
{
	struct stream_end e;

	if (t->state == T_PREAMBLE && !t->rejected_whole) {
		if (!t->title.kind)
			reject_whole(
			    t, 0,
			    t->fi.encoding_needs_proof ? "unproven_encoding" : "unknown_table",
			    t->records ? "文件中找不到已知的表标题" : "文件没有任何内容", NULL);
		else
			t->state = T_HEADER; /* a title and nothing else: an empty table */
	}
	/*
	 * No data row: an empty table of its kind (a fund table with only its
	 * header, a 合计 row, 无 or a note).  With no header at all it is still
	 * its kind; a header it has must be understood.
	 */
	if (t->state == T_HEADER && !t->rejected_whole && t->nhdr == 0) {
		if (!t->year && !check_identity(t, t->title_line))
			write_f(t);
		t->state = T_DONE;
	} else if (t->state == T_HEADER && !start_data(t, 0) && t->title.kind == 7 &&
	           !t->three_public_done) {
		/* A three-public table whose only data row is empty: all zero. */
		static const char *const zero[] = {"total",
		                                   "outbound_travel",
		                                   "vehicle_total",
		                                   "vehicle_purchase",
		                                   "vehicle_operation",
		                                   "official_reception"};

		begin_r(t->out, 0, "three_public", "", "");
		for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
			if (col_of(t, zero[i]) >= 0)
				stream_put_kv(t->out, zero[i], "0.00");
		putc('\n', t->out);
	}
	write_f(t);
	if (t->rejected_whole) {
		t->facts = 0;
		t->rejected = t->records - t->meta;
		if (t->rejected < 0) {
			t->meta += t->rejected;
			t->rejected = 0;
		}
	}
	e.n[E_RECORDS] = t->records;
	e.n[E_META] = t->meta;
	e.n[E_FACTS] = t->facts;
	e.n[E_SUBTOTALS] = 0;
	e.n[E_REJECTED] = t->rejected;
	e.ok = !t->rejected_whole && !t->skipped;
	e.skipped = t->skipped && !t->rejected_whole;
	e.half_unit = half_unit(t);
	stream_end_write(t->out, &e);
}
