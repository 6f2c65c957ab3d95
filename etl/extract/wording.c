#include "wording.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textnorm.h"

static int list_add(struct wording_list *l, const struct wording_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct wording_entry *p = realloc(l->e, cap * sizeof(*p));

		if (!p)
			return -1;
		l->e = p;
		l->cap = cap;
	}
	l->e[l->n++] = *e;
	return 0;
}

/* Fold a header path "parent/cell" part by part. */
static void fold_path(const char *src, char *dst, size_t size)
{
	char part[WORDING_KEY], folded[WORDING_KEY];
	size_t used = 0;

	dst[0] = '\0';
	while (*src) {
		const char *slash = strchr(src, '/');
		size_t n = slash ? (size_t)(slash - src) : strlen(src);

		if (n >= sizeof(part))
			n = sizeof(part) - 1;
		memcpy(part, src, n);
		part[n] = '\0';
		text_key(part, folded, sizeof(folded));
		if (used < size) /* dst + used must stay in the array */
			used += (size_t)snprintf(dst + used, size - used, "%s%s", used ? "/" : "",
			                         folded);
		src += n + (slash ? 1 : 0);
		if (!slash)
			break;
	}
}

static unsigned parse_kinds(const char *s)
{
	unsigned mask = 0;

	while (*s) {
		char *end;
		long k = strtol(s, &end, 10);

		if (end == s || k < 1 || k > 10)
			return 0;
		mask |= 1u << k;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return 0;
	}
	return mask;
}

/* Split a TSV line into at most max fields in place. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		char *tab = strchr(line, '\t');

		f[n++] = line;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

enum wfile { W_TITLES, W_KINDS, W_HEADERS, W_LABELS, W_META, W_EQUIV };

/* One line of a wording file into its list. */
static int add_line(struct wording *w, enum wfile which, char **f, int n)
{
	struct wording_entry e;

	memset(&e, 0, sizeof(e));
	switch (which) {
	case W_TITLES:
		e.kind = atoi(f[0]);
		if (n != 2 || e.kind < 1 || e.kind > 10)
			return -1;
		text_key(f[1], e.key, sizeof(e.key));
		return list_add(&w->titles, &e) < 0 ? -2 : 0;
	case W_KINDS: {
		char part[WORDING_KEY], folded[WORDING_KEY];
		const char *p = f[1];
		size_t used = 0;

		if (n != 2)
			return -1;
		e.kind = strcmp(f[0], "skip") == 0 ? TITLE_SKIP : atoi(f[0]);
		if (e.kind != TITLE_SKIP && (e.kind < 1 || e.kind > 10))
			return -1;
		/* words joined by '+', each folded like a title */
		while (*p) {
			size_t k = strcspn(p, "+");

			snprintf(part, sizeof(part), "%.*s", (int)k, p);
			text_key(part, folded, sizeof(folded));
			if (!*folded)
				return -1;
			if (used < sizeof(e.key))
				used += (size_t)snprintf(e.key + used, sizeof(e.key) - used, "%s%s",
				                         used ? "+" : "", folded);
			p += k + (p[k] == '+');
		}
		return used ? (list_add(&w->kinds, &e) < 0 ? -2 : 0) : -1;
	}
	case W_HEADERS:
		if (n != 3 || !(e.kinds = parse_kinds(f[0])))
			return -1;
		snprintf(e.what, sizeof(e.what), "%s", f[1]);
		fold_path(f[2], e.key, sizeof(e.key));
		return list_add(&w->headers, &e) < 0 ? -2 : 0;
	case W_LABELS: {
		char stripped[WORDING_KEY];

		if (n != 3)
			return -1;
		/* what = class; the key to return is kept after a NUL-free '|' join */
		snprintf(e.what, sizeof(e.what), "%s|%s", f[0], f[1]);
		text_strip_ordinal(f[2], stripped, sizeof(stripped));
		text_key(stripped, e.key, sizeof(e.key));
		return list_add(&w->labels, &e) < 0 ? -2 : 0;
	}
	case W_META:
		if (n != 2)
			return -1;
		snprintf(e.what, sizeof(e.what), "%s", f[0]);
		text_halfwidth(f[1], e.key, sizeof(e.key));
		return list_add(&w->meta, &e) < 0 ? -2 : 0;
	case W_EQUIV: {
		size_t len = strlen(f[0]);

		/* from (a trailing '$': only at the end) -> to (may be empty) */
		if (n < 1 || n > 2 || !len)
			return -1;
		e.kind = f[0][len - 1] == '$';
		if (e.kind)
			f[0][len - 1] = '\0';
		text_key(f[0], e.key, sizeof(e.key));
		text_key(n == 2 ? f[1] : "", e.what, sizeof(e.what));
		return e.key[0] ? (list_add(&w->equiv, &e) < 0 ? -2 : 0) : -1;
	}
	}
	return -1;
}

static int load_file(struct wording *w, const char *dir, const char *name, enum wfile which,
                     struct etl_err *err)
{
	char path[4096], line[1024];
	char *f[4];
	long lineno = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/wording/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp)
		return etl_fail(err, "bad_config", 0, NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		int n, rc;

		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		n = split_tabs(line, f, 4);
		rc = add_line(w, which, f, n);
		if (rc < 0) {
			fclose(fp);
			return etl_fail(err, "bad_config", lineno, NULL, "%s:%ld: %s", path, lineno,
			                rc == -2 ? "out of memory" : "malformed line");
		}
	}
	fclose(fp);
	return 0;
}

int wording_load(struct wording *w, const char *config_dir, struct etl_err *err)
{
	memset(w, 0, sizeof(*w));
	if (load_file(w, config_dir, "titles.tsv", W_TITLES, err) < 0 ||
	    load_file(w, config_dir, "kinds.tsv", W_KINDS, err) < 0 ||
	    load_file(w, config_dir, "headers.tsv", W_HEADERS, err) < 0 ||
	    load_file(w, config_dir, "labels.tsv", W_LABELS, err) < 0 ||
	    load_file(w, config_dir, "meta.tsv", W_META, err) < 0 ||
	    load_file(w, config_dir, "equivalents.tsv", W_EQUIV, err) < 0) {
		wording_free(w);
		return -1;
	}
	return 0;
}

void wording_free(struct wording *w)
{
	free(w->titles.e);
	free(w->kinds.e);
	free(w->headers.e);
	free(w->labels.e);
	free(w->meta.e);
	free(w->equiv.e);
	memset(w, 0, sizeof(*w));
}

const char *stage_name(enum stage s)
{
	return s == STAGE_FINAL ? "final" : s == STAGE_ADJUSTMENT ? "adjusted" : "budget";
}

const char *scope_name(enum scope s)
{
	return s == SCOPE_UNIT ? "unit" : "department";
}

/* Remove every occurrence of word from s (in place). */
static void remove_word(char *s, const char *word)
{
	size_t wl = strlen(word);
	char *p;

	while ((p = strstr(s, word)))
		memmove(p, p + wl, strlen(p + wl) + 1);
}

/*
 * Find "YYYY年" (or "YYYY年度") in a half-width string; returns the year and
 * blanks it out, *at (may be NULL) gets where it was.
 */
static int take_year_at(char *s, char **at)
{
	for (char *p = s; *p; p++) {
		char *q = p;
		int year;

		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]))
			continue;
		if (p > s && isdigit((unsigned char)p[-1]))
			continue;
		year = atoi(p);
		q = p + 4;
		while (*q == ' ')
			q++;
		if (strncmp(q, "年", strlen("年")) != 0)
			continue;
		q += strlen("年");
		if (strncmp(q, "度", strlen("度")) == 0)
			q += strlen("度");
		memmove(p, q, strlen(q) + 1);
		if (at)
			*at = p;
		return year;
	}
	return 0;
}

/* Drop a leading "表N" / "附表N" / "附件N" from a folded title. */
static const char *skip_table_number(const char *k)
{
	static const char *const pre[] = {"附表", "附件", "公开", "表"};

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i]);

		if (strncmp(k, pre[i], n) == 0 && isdigit((unsigned char)k[n])) {
			k += n;
			while (isdigit((unsigned char)*k) || *k == '-')
				k++;
			/* "公开01表" */
			if (strncmp(k, "表", strlen("表")) == 0 && strncmp(pre[i], "公开", 6) == 0)
				k += strlen("表");
			return k;
		}
	}
	return k;
}

/* Does every '+'-joined word of rule occur in k? */
static bool all_words(const char *k, const char *rule)
{
	char word[WORDING_KEY];

	while (*rule) {
		size_t n = strcspn(rule, "+");

		snprintf(word, sizeof(word), "%.*s", (int)n, rule);
		if (!strstr(k, word))
			return false;
		rule += n + (rule[n] == '+');
	}
	return true;
}

struct title_info wording_title(const struct wording *w, const char *cell)
{
	struct title_info t = {0, 0, STAGE_BUDGET, SCOPE_DEPARTMENT};
	char half[1024], ord[1024], folded[1024], *at = NULL;
	const char *k, *from;

	text_halfwidth(cell, half, sizeof(half));
	text_strip_ordinal(half, ord, sizeof(ord)); /* "一、收入支出决算总表" */
	t.year = take_year_at(ord, &at);
	/* "某某局2023年部门收支总表": the title proper follows the year */
	from = at && strstr(at, "表") ? at : ord;
	text_key(from, folded, sizeof(folded));
	if (strncmp(folded, "注", strlen("注")) == 0 || strncmp(folded, "说明", 6) == 0)
		return t; /* a note line, however it is worded */
	if (strstr(folded, "决算"))
		t.stage = STAGE_FINAL;
	else if (strstr(folded, "调整预算") || strstr(folded, "预算调整"))
		t.stage = STAGE_ADJUSTMENT;
	remove_word(folded, "决算");
	remove_word(folded, "调整预算");
	remove_word(folded, "预算调整");
	k = skip_table_number(folded);
	if (!*k)
		return t;
	/* exceptions first: exact wording of titles.tsv (stage words removed) */
	for (size_t i = 0; i < w->titles.n; i++)
		if (strcmp(k, w->titles.e[i].key) == 0) {
			t.kind = w->titles.e[i].kind;
			break;
		}
	/* scope: 单位 or 预算单位 without 部门 */
	if (strstr(k, "单位") && !strstr(k, "部门"))
		t.scope = SCOPE_UNIT;
	if (t.kind)
		return t;
	{
		char rest[1024];

		snprintf(rest, sizeof(rest), "%s", k);
		remove_word(rest, "预算单位");
		remove_word(rest, "单位");
		remove_word(rest, "部门");
		if (!strstr(rest, "表"))
			return t;
		for (size_t i = 0; i < w->kinds.n; i++)
			if (all_words(rest, w->kinds.e[i].key)) {
				t.kind = w->kinds.e[i].kind;
				break;
			}
	}
	return t;
}

static const char *find_header(const struct wording *w, int kind, const char *key)
{
	for (size_t i = 0; i < w->headers.n; i++) {
		const struct wording_entry *e = &w->headers.e[i];

		if ((e->kinds & (1u << kind)) && strcmp(e->key, key) == 0)
			return e->what;
	}
	return NULL;
}

const char *wording_header_field(const struct wording *w, int kind, const char *const *parts, int n)
{
	char key[WORDING_KEY * 3], folded[WORDING_KEY];

	/* Full path first, then shorter tails: parent/cell, then cell. */
	for (int from = 0; from < n; from++) {
		const char *field;
		size_t used = 0;

		key[0] = '\0';
		for (int i = from; i < n; i++) {
			text_key(parts[i], folded, sizeof(folded));
			if (used < sizeof(key)) /* key + used must stay in the array */
				used += (size_t)snprintf(key + used, sizeof(key) - used, "%s%s",
				                         used ? "/" : "", folded);
		}
		field = find_header(w, kind, key);
		if (field)
			return field;
	}
	return NULL;
}

/* key with the equivalents of equivalents.tsv applied, in their order. */
static void canonical(const struct wording *w, const char *key, char *out, size_t size)
{
	char buf[WORDING_KEY];

	snprintf(out, size, "%s", key);
	for (size_t i = 0; i < w->equiv.n; i++) {
		const struct wording_entry *e = &w->equiv.e[i];
		size_t fl = strlen(e->key), len = strlen(out);
		char *p;

		if (e->kind) {
			if (len >= fl && strcmp(out + len - fl, e->key) == 0 && len > fl) {
				out[len - fl] = '\0';
				snprintf(buf, sizeof(buf), "%s%s", out, e->what);
				snprintf(out, size, "%s", buf);
			}
			continue;
		}
		while ((p = strstr(out, e->key))) {
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - out), out, e->what,
			         p + fl);
			snprintf(out, size, "%s", buf);
		}
	}
}

const char *wording_label(const struct wording *w, const char *cls, const char *label)
{
	char stripped[WORDING_KEY], key[WORDING_KEY], canon[WORDING_KEY], other[WORDING_KEY];
	size_t cl = strlen(cls);

	text_strip_ordinal(label, stripped, sizeof(stripped));
	text_key(stripped, key, sizeof(key));
	if (!key[0])
		return NULL;
	for (size_t i = 0; i < w->labels.n; i++) {
		const struct wording_entry *e = &w->labels.e[i];

		if (strncmp(e->what, cls, cl) == 0 && e->what[cl] == '|' &&
		    strcmp(e->key, key) == 0)
			return e->what + cl + 1;
	}
	/* by meaning: "国有资本经营预算财政拨款" is "国有资本经营预算拨款收入" */
	canonical(w, key, canon, sizeof(canon));
	for (size_t i = 0; canon[0] && i < w->labels.n; i++) {
		const struct wording_entry *e = &w->labels.e[i];

		if (strncmp(e->what, cls, cl) != 0 || e->what[cl] != '|')
			continue;
		canonical(w, e->key, other, sizeof(other));
		if (strcmp(other, canon) == 0)
			return e->what + cl + 1;
	}
	return NULL;
}

/* The rest of "X：rest" after an optional run of spaces, or NULL. */
static const char *after_colon(const char *p)
{
	while (*p == ' ')
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

/* The text after the first ':' or '：' of the original cell, spaces skipped. */
static const char *after_first_colon(const char *cell)
{
	const char *a = strchr(cell, ':'), *b = strstr(cell, "：");
	const char *p;

	if (!a && !b)
		return cell + strlen(cell);
	if (a && (!b || a < b))
		p = a + 1;
	else
		p = b + strlen("：");
	while (*p == ' ' || strncmp(p, "　", strlen("　")) == 0)
		p += *p == ' ' ? 1 : strlen("　");
	return p;
}

static int is_number_tail(const char *p)
{
	static const char *const cn[] = {"一", "二", "三", "四", "五",
	                                 "六", "七", "八", "九", "十"};

	if (!*p)
		return 0;
	while (*p) {
		size_t i;

		if (isdigit((unsigned char)*p) || *p == '-' || *p == '.' || *p == ' ' ||
		    *p == ':') {
			p++;
			continue;
		}
		for (i = 0; i < sizeof(cn) / sizeof(cn[0]); i++)
			if (strncmp(p, cn[i], strlen(cn[i])) == 0)
				break;
		if (i == sizeof(cn) / sizeof(cn[0]))
			return 0;
		p += strlen(cn[i]);
	}
	return 1;
}

int wording_meta(const struct wording *w, const char *cls, const char *cell, const char **rest)
{
	char half[1024];
	size_t best = 0;
	int found = 0;

	text_halfwidth(cell, half, sizeof(half));
	for (size_t i = 0; i < w->meta.n; i++) {
		const struct wording_entry *e = &w->meta.e[i];
		size_t len = strlen(e->key);
		const char *start = half + strspn(half, " ");

		if (strcmp(e->what, cls) != 0)
			continue;
		if (strcmp(cls, "note") == 0) {
			if (strstr(half, e->key))
				return 1;
			continue;
		}
		if (strncmp(start, e->key, len) != 0)
			continue;
		if (strcmp(cls, "table_number") == 0) {
			if (is_number_tail(start + len))
				return 1;
			continue;
		}
		if (strcmp(cls, "note_prefix") == 0) {
			/* "注：", "说明:", "注1：" */
			const char *r = start + len;

			r += strspn(r, "0123456789");
			if (after_colon(r))
				return 1;
			continue;
		}
		if (strcmp(cls, "dept_prefix") == 0) {
			const char *r = after_colon(start + len);

			if (r && len > best) {
				if (rest)
					*rest = after_first_colon(cell);
				best = len;
				found = 1;
			}
			continue;
		}
		return 1;
	}
	return found;
}
