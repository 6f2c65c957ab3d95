#include "amount.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "textnorm.h"

/* Longest amount text accepted, in bytes; a longer cell is no amount. */
#define AMOUNT_TEXT_MAX 256

/* A number as printed: sign, integer digits (commas included), fraction digits. */
struct number {
	int neg;
	const char *ip; /* integer part, may hold thousands commas */
	size_t ip_len;
	const char *fp; /* fraction digits */
	size_t fp_len;
};

/* The zero spellings other than numeric zeros, on folded, trimmed text. */
static int is_dash_zero(const char *s)
{
	static const char *const zeros[] = {"", "-", "--", "\u2014", "\u2014\u2014", "\u2013"};
	size_t i;

	for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
		if (strcmp(s, zeros[i]) == 0)
			return 1;
	return 0;
}

/*
 * Fold text to half-width and trim it into buf (AMOUNT_TEXT_MAX bytes).
 * Returns -1 when text is too long to be an amount.
 */
static int fold_trim(const char *text, char *buf)
{
	char tmp[AMOUNT_TEXT_MAX];

	if (strlen(text) >= AMOUNT_TEXT_MAX)
		return -1;
	text_halfwidth(text, tmp, sizeof(tmp));
	text_trim(tmp, buf, AMOUNT_TEXT_MAX, NULL);
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Check the thousands grouping of an integer part: without commas any digits;
 * with commas a first group of 1-3 digits and then groups of exactly 3, so
 * that a decimal comma ("1,5") is never read as a separator.
 */
static int grouping_ok(const char *s, size_t n)
{
	size_t i, group = 0, groups = 0;

	for (i = 0; i < n; i++) {
		if (is_digit(s[i])) {
			group++;
			continue;
		}
		if (group == 0 || (groups == 0 ? group > 3 : group != 3))
			return 0;
		groups++;
		group = 0;
	}
	return groups == 0 || group == 3;
}

/*
 * Split folded, trimmed s into a struct number.  Accepts an optional sign or
 * enclosing parentheses (negative), digits with thousands commas, and an
 * optional '.' with fraction digits; at least one digit.  Returns 0 or -1.
 */
static int number_scan(const char *s, struct number *num)
{
	size_t n = strlen(s), i = 0;

	memset(num, 0, sizeof(*num));
	if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
		num->neg = 1;
		s++, n -= 2;
		while (n > 0 && s[0] == ' ')
			s++, n--;
		while (n > 0 && s[n - 1] == ' ')
			n--;
	} else if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		num->neg = s[0] == '-';
		s++, n--;
	}
	num->ip = s;
	while (i < n && (is_digit(s[i]) || s[i] == ','))
		i++;
	num->ip_len = i;
	if (i < n && s[i] == '.') {
		num->fp = s + ++i;
		while (i < n && is_digit(s[i]))
			i++;
		num->fp_len = (size_t)(s + i - num->fp);
	}
	if (i != n || num->ip_len + num->fp_len == 0)
		return -1;
	return grouping_ok(num->ip, num->ip_len) ? 0 : -1;
}

/* True when every digit of num is zero. */
static int number_is_zero(const struct number *num)
{
	size_t i;

	for (i = 0; i < num->ip_len; i++)
		if (is_digit(num->ip[i]) && num->ip[i] != '0')
			return 0;
	for (i = 0; i < num->fp_len; i++)
		if (num->fp[i] != '0')
			return 0;
	return 1;
}

/* Accumulate v = v * 10 + d within cap; returns -1 on overflow. */
static int mul10_add(uint64_t *v, unsigned d, uint64_t cap)
{
	if (*v > (cap - d) / 10)
		return -1;
	*v = *v * 10 + d;
	return 0;
}

/*
 * Convert num to fen for a unit with `scale` decimals in fen (2 for 元, 6 for
 * 万元).  Returns 0, -1 for too many non-zero decimals, -2 for overflow.
 */
static int number_to_fen(const struct number *num, int scale, int64_t *fen)
{
	/* one range for every amount: what numeric(18,2) holds */
	uint64_t cap = (uint64_t)AMOUNT_MAX_FEN;
	uint64_t v = 0;
	size_t i;
	int k;

	for (i = num->fp_len; i > (size_t)scale; i--)
		if (num->fp[i - 1] != '0')
			return -1;
	for (i = 0; i < num->ip_len; i++)
		if (is_digit(num->ip[i]) && mul10_add(&v, (unsigned)(num->ip[i] - '0'), cap) < 0)
			return -2;
	for (k = 0; k < scale; k++) {
		unsigned d = (size_t)k < num->fp_len ? (unsigned)(num->fp[k] - '0') : 0;

		if (mul10_add(&v, d, cap) < 0)
			return -2;
	}
	*fen = num->neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Fail with reason bad_amount, quoting text (cut on a character boundary). */
static int bad_amount(struct etl_err *err, const char *text, const char *why)
{
	char quoted[200];
	struct etl_err scratch;

	text_trim(text, quoted, sizeof(quoted), NULL);
	return etl_fail(err ? err : &scratch, "bad_amount", 0, NULL, "金额“%s”%s", quoted, why);
}

/*
 * Parse text in unit into *fen: exact, never rounded.  Blank and zero
 * spellings give 0.  On error *fen is left untouched and err gets
 * "bad_amount"; err->line is 0 for the caller to set.
 */
int amount_parse(const char *text, enum unit unit, int64_t *fen, struct etl_err *err)
{
	char buf[AMOUNT_TEXT_MAX];
	struct number num;
	int64_t v;
	int rc;

	if (!text)
		text = "";
	if (unit != UNIT_YUAN && unit != UNIT_WAN)
		return bad_amount(err, text, "无法换算：金额单位未知");
	if (fold_trim(text, buf) < 0)
		return bad_amount(err, text, "过长，不是数字");
	if (is_dash_zero(buf)) {
		*fen = 0;
		return 0;
	}
	if (number_scan(buf, &num) < 0)
		return bad_amount(err, text, "不是数字");
	rc = number_to_fen(&num, unit == UNIT_WAN ? 6 : 2, &v);
	if (rc == -1)
		return bad_amount(err, text,
		                  unit == UNIT_WAN ? "小数位过多（万元最多 6 位）"
		                                   : "小数位过多（元最多 2 位）");
	if (rc == -2)
		return bad_amount(err, text,
		                  "超出可装载的范围（绝对值须小于 10¹⁶ 元，numeric(18,2)）");
	*fen = v;
	return 0;
}

/* True for empty text, the dash spellings and any numeric zero ("0", "0.00", "-0"). */
bool amount_is_blank(const char *text)
{
	char buf[AMOUNT_TEXT_MAX];
	struct number num;

	if (!text)
		return true;
	if (fold_trim(text, buf) < 0)
		return false;
	if (is_dash_zero(buf))
		return true;
	return number_scan(buf, &num) == 0 && number_is_zero(&num);
}

/*
 * True when text has the form of a number amount_parse accepts and is not
 * blank (so not zero).  The unit is not known here: decimals are not limited.
 */
bool amount_looks_numeric(const char *text)
{
	char buf[AMOUNT_TEXT_MAX];
	struct number num;

	if (!text || fold_trim(text, buf) < 0 || is_dash_zero(buf))
		return false;
	return number_scan(buf, &num) == 0 && !number_is_zero(&num);
}

/* Format fen as yuan with two decimals into buf; returns buf. */
char *amount_format(int64_t fen, char *buf, size_t size)
{
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	char tmp[32], *p = tmp + sizeof(tmp);
	size_t n;

	if (size == 0)
		return buf;
	/* digits from the right: two of fen, the point, at least one of yuan (no printf: every R
	 * and C record formats amounts) */
	*--p = '\0';
	*--p = (char)('0' + mag % 10);
	mag /= 10;
	*--p = (char)('0' + mag % 10);
	mag /= 10;
	*--p = '.';
	do {
		*--p = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag);
	if (fen < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - 1 - p);
	if (n >= size)
		n = size - 1; /* cut, as snprintf would */
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* The unit a bare unit word names, UNIT_NONE for any other text. */
static enum unit unit_word(const char *s)
{
	if (strcmp(s, "万元") == 0 || strcmp(s, "人民币万元") == 0)
		return UNIT_WAN;
	if (strcmp(s, "元") == 0 || strcmp(s, "人民币元") == 0)
		return UNIT_YUAN;
	return UNIT_NONE;
}

/* If s starts with prefix, return the text after it, else NULL. */
static const char *skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/*
 * The unit of folded, trimmed s: exactly a unit word, or a label 单位 /
 * 金额单位 / 计量单位, a colon (spaces around it allowed) and a unit word.
 */
static enum unit unit_labelled(const char *s)
{
	static const char *const labels[] = {"金额单位", "计量单位", "单位"};
	const char *rest = NULL;
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]) && !rest; i++)
		rest = skip_prefix(s, labels[i]);
	if (!rest)
		return unit_word(s);
	while (*rest == ' ')
		rest++;
	if (*rest++ != ':')
		return UNIT_NONE;
	while (*rest == ' ')
		rest++;
	return unit_word(rest);
}

/*
 * Recognise a unit cell: optionally in parentheses, optionally labelled
 * 单位 / 金额单位 / 计量单位 followed by a colon, then exactly 万元, 元,
 * 人民币万元 or 人民币元.  Anything else ("单位：某某局") is UNIT_NONE.
 */
enum unit unit_from_cell(const char *text)
{
	char buf[AMOUNT_TEXT_MAX], inner[AMOUNT_TEXT_MAX];
	size_t n;

	if (!text || fold_trim(text, buf) < 0)
		return UNIT_NONE;
	n = strlen(buf);
	if (n < 2 || buf[0] != '(' || buf[n - 1] != ')')
		return unit_labelled(buf);
	buf[n - 1] = '\0';
	return unit_labelled(text_trim(buf + 1, inner, sizeof(inner), NULL));
}

const char *unit_name(enum unit u)
{
	switch (u) {
	case UNIT_YUAN: return "yuan";
	case UNIT_WAN: return "wan";
	default: return "";
	}
}

int amount_parse_exact(const char *text, int64_t *fen)
{
	int64_t yuan = 0;
	int cents = 0, places = 0;
	bool neg = *text == '-';
	const char *p = text + neg, *digits = p;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (yuan > (AMOUNT_MAX_FEN / 100 - (*p - '0')) / 10)
			return -1;
		yuan = yuan * 10 + (*p - '0');
	}
	if (p == digits)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++places > 2)
				return -1;
			cents = cents * 10 + (*p - '0');
		}
		if (places == 0)
			return -1;
	}
	if (*p)
		return -1;
	if (places == 1)
		cents *= 10;
	*fen = yuan * 100 + cents;
	if (*fen > AMOUNT_MAX_FEN)
		return -1;
	if (neg)
		*fen = -*fen;
	return 0;
}

int amount_add(int64_t a, int64_t b, int64_t *sum)
{
	int64_t s;

	if (__builtin_add_overflow(a, b, &s) || s > AMOUNT_MAX_FEN || s < -AMOUNT_MAX_FEN)
		return -1;
	*sum = s;
	return 0;
}
