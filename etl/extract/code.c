#include "code.h"

#include <stdio.h>
#include <string.h>

#include "textnorm.h"

/* Longest code cell examined, in bytes; a longer cell is not a code. */
#define CELL_MAX 1024
/* How much of a code-and-name cell is folded to find its leading code. */
#define PREFIX_MAX 256

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Separators allowed between the digit groups of a spaced code. */
static int is_group_sep(char c)
{
	return c == ' ' || c == '-' || c == '.';
}

static size_t digit_run(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

static int code_len_ok(size_t n)
{
	return n == 3 || n == 5 || n == 7;
}

/*
 * Scan a code at the start of folded text s: a first group of 3, 5 or 7
 * digits, then groups of exactly two digits each after a run of separators
 * (' ', '-', '.'), up to 7 digits in all.  Digits go to out.  Returns the
 * bytes consumed, or 0 when the first digit run is not 3, 5 or 7 long.
 */
static size_t scan_code(const char *s, char out[CODE_MAX])
{
	size_t first = digit_run(s), len = first, pos = first, sep;

	if (!code_len_ok(first))
		return 0;
	memcpy(out, s, first);
	while (len < 7) {
		for (sep = 0; is_group_sep(s[pos + sep]); sep++)
			;
		if (sep == 0 || digit_run(s + pos + sep) != 2)
			break;
		memcpy(out + len, s + pos + sep, 2);
		len += 2;
		pos += sep + 2;
	}
	out[len] = '\0';
	return pos;
}

static int bad_code(struct etl_err *err, const char *text, const char *why)
{
	char quoted[200];
	struct etl_err scratch;

	text_trim(text, quoted, sizeof(quoted), NULL);
	return etl_fail(err ? err : &scratch, "bad_code", 0, NULL, "科目编码“%s”%s", quoted, why);
}

/* Fold and trim cell into buf (CELL_MAX bytes); -1 when it is too long. */
static int fold_trim(const char *cell, char *buf)
{
	char tmp[CELL_MAX];

	if (strlen(cell) >= CELL_MAX)
		return -1;
	text_halfwidth(cell, tmp, sizeof(tmp));
	text_trim(tmp, buf, CELL_MAX, NULL);
	return 0;
}

/*
 * Canonical digits of one code cell.  1: a code, in out; 0: no digit at all
 * (a name or empty); -1: digits that do not form a code ("bad_code").  A cell
 * of CELL_MAX bytes or more is -1.
 */
int code_canonical(const char *cell, char out[CODE_MAX], struct etl_err *err)
{
	char buf[CELL_MAX];
	size_t n;

	out[0] = '\0';
	if (!cell)
		return 0;
	if (fold_trim(cell, buf) < 0)
		return bad_code(err, cell, "过长");
	if (strpbrk(buf, "0123456789") == NULL)
		return 0;
	n = scan_code(buf, out);
	if (n == 0 || buf[n] != '\0') {
		out[0] = '\0';
		return bad_code(err, cell, "格式错误（应为 3、5 或 7 位数字）");
	}
	return 1;
}

/* Fold and trim one split column into part; -1 unless empty or all digits. */
static int join_part(const char *text, char part[CODE_MAX])
{
	char tmp[64], buf[64];

	part[0] = '\0';
	if (!text)
		return 0;
	if (strlen(text) >= sizeof(tmp))
		return -1;
	text_halfwidth(text, tmp, sizeof(tmp));
	text_trim(tmp, buf, sizeof(buf), NULL);
	if (strlen(buf) >= CODE_MAX || digit_run(buf) != strlen(buf))
		return -1;
	memcpy(part, buf, strlen(buf) + 1);
	return 0;
}

/*
 * Extend canonical base by part, the next level whose full code has full_len
 * digits: "" keeps base, two digits are appended (only when base is the
 * level just above), a full code must start with base.
 */
static int join_level(char base[CODE_MAX], const char *part, size_t full_len, bool *padded)
{
	size_t b = strlen(base), p = strlen(part);

	if (p == 0)
		return 0;
	if (p == 2 && b + 2 == full_len) {
		memcpy(base + b, part, 3);
		return 0;
	}
	/* one digit where two belong: the spreadsheet dropped a leading zero */
	if (p == 1 && b + 2 == full_len && padded) {
		base[b] = '0';
		base[b + 1] = part[0];
		base[b + 2] = '\0';
		*padded = true;
		return 0;
	}
	if (p == full_len && strncmp(part, base, b) == 0) {
		memcpy(base, part, p + 1);
		return 0;
	}
	return -1;
}

/*
 * Join split 类 | 款 | 项 columns.  1 with out filled, 0 when all are empty,
 * -1 ("bad_code") when a part is not digits, the class is not 3 digits, a
 * two-digit item is given under no section (a full 7-digit item is enough),
 * or a full code does not start with its parent.
 */
int code_join(const char *cls, const char *sec, const char *item, char out[CODE_MAX], bool *padded,
              struct etl_err *err)
{
	char c[CODE_MAX], s[CODE_MAX], i[CODE_MAX], quoted[3 * 64 + 8], q[3][61];
	int bad;

	out[0] = '\0';
	bad = join_part(cls, c) | join_part(sec, s) | join_part(item, i);
	if (!bad && c[0] == '\0' && s[0] == '\0' && i[0] == '\0')
		return 0;
	if (!bad && strlen(c) == 3) {
		char base[CODE_MAX];

		memcpy(base, c, 4);
		if (padded)
			*padded = false;
		if (join_level(base, s, 5, padded) == 0 && join_level(base, i, 7, padded) == 0) {
			memcpy(out, base, strlen(base) + 1);
			return 1;
		}
	}
	/* Cut each column on a character boundary ("%.60s" would split UTF-8). */
	text_trim(cls ? cls : "", q[0], sizeof(q[0]), NULL);
	text_trim(sec ? sec : "", q[1], sizeof(q[1]), NULL);
	text_trim(item ? item : "", q[2], sizeof(q[2]), NULL);
	snprintf(quoted, sizeof(quoted), "%s|%s|%s", q[0], q[1], q[2]);
	return bad_code(err, quoted, "分列不一致或格式错误（类|款|项）");
}

/* Number of characters (UTF-8 lead bytes) in s[0..n). */
static size_t char_count(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* The byte offset in s after its first k characters. */
static size_t char_offset(const char *s, size_t k)
{
	size_t i = 0;

	while (s[i] && k > 0) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		k--;
	}
	return i;
}

static size_t skip_spaces(const char *s)
{
	size_t i = 0;

	for (;;) {
		if (s[i] == ' ' || s[i] == '\t')
			i++;
		else if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0)
			i += 2;
		else
			return i;
	}
}

/* Bytes of the separators between a leading code and its name: spaces - : _ 、 */
static size_t skip_name_sep(const char *s)
{
	size_t i = 0;

	for (;;) {
		size_t n = skip_spaces(s + i);
		if (n == 0 && (s[i] == '-' || s[i] == ':' || s[i] == '_' || s[i] == '.'))
			n = 1;
		if (n == 0 && strncmp(s + i, "\u3001", 3) == 0)
			n = 3;
		if (n == 0)
			return i;
		i += n;
	}
}

/* True when the digits at s (1-2 of them) are a list ordinal: "1." "1、" "(1)". */
static int is_ordinal(const char *s, size_t run, char closer)
{
	const char *after = s + run;

	if (run > 2)
		return 0;
	if (closer)
		return *after == closer;
	return *after == '.' || *after == ')' || strncmp(after, "\u3001", 3) == 0;
}

/*
 * Find the leading code of folded cell f.  Returns 1 with code filled and
 * *name_at the byte offset in f where the name starts, 0 when f does not
 * start with a code (or starts with an ordinal such as "1、"), -1 when its
 * leading code is malformed.
 */
static int split_folded(const char *f, char code[CODE_MAX], size_t *name_at)
{
	size_t p = skip_spaces(f), run, n;
	char closer = 0;

	if (f[p] == '[' || f[p] == '(') {
		closer = f[p] == '[' ? ']' : ')';
		p += 1 + skip_spaces(f + p + 1);
	}
	run = digit_run(f + p);
	if (run == 0 || is_ordinal(f + p, run, closer))
		return 0;
	n = scan_code(f + p, code);
	if (n == 0 || is_ascii_letter(f[p + n]) || is_digit(f[p + n])) {
		code[0] = '\0';
		return -1;
	}
	p += n;
	if (closer) {
		p += skip_spaces(f + p);
		if (f[p] != closer) {
			code[0] = '\0';
			return -1;
		}
		p++;
	}
	*name_at = p + skip_name_sep(f + p);
	return 1;
}

/*
 * Split a code-and-name cell.  1: code and the trimmed name after it ("" when
 * the cell is only a code); 0: no leading code, name gets the trimmed cell;
 * -1 ("bad_code"): a malformed leading code, name gets the trimmed cell.
 * The name keeps its original (not folded) characters.
 */
int code_split_cell(const char *cell, char code[CODE_MAX], char *name, size_t name_size,
                    struct etl_err *err)
{
	char f[PREFIX_MAX];
	size_t name_at = 0;
	int rc;

	code[0] = '\0';
	if (name_size > 0)
		name[0] = '\0';
	if (!cell)
		return 0;
	text_halfwidth(cell, f, sizeof(f));
	rc = split_folded(f, code, &name_at);
	if (rc == 1)
		cell += char_offset(cell, char_count(f, name_at));
	if (name_size > 0)
		text_trim(cell, name, name_size, NULL);
	if (rc < 0)
		return bad_code(err, cell, "格式错误（应为 3、5 或 7 位数字）");
	return rc;
}

/* 1, 2 or 3 for a 3-, 5- or 7-digit code; 0 for anything else. */
int code_level(const char *code)
{
	size_t n;

	if (!code)
		return 0;
	n = strlen(code);
	if (digit_run(code) != n || !code_len_ok(n))
		return 0;
	return (int)(n / 2);
}
