#include "indicator.h"

#include <stdio.h>
#include <string.h>

#include "textnorm.h"

/* Longest target text examined; the op and number sit at its start. */
#define TARGET_TEXT_MAX 512

/* One spelling of a comparison operator and the canonical op it means. */
struct op_spelling {
	const char *text;
	const char *op;
};

/*
 * Operators on half-width-folded text (＞＝ is already ">="), longest first
 * so that ">=" wins over ">".
 */
static const struct op_spelling ops[] = {
    {">=", "≥"},     {"=>", "≥"},     {"<=", "≤"},     {"=<", "≤"},     {"\u2265", "≥"},
    {"\u2267", "≥"}, {"\u2A7E", "≥"}, {"\u2264", "≤"}, {"\u2266", "≤"}, {"\u2A7D", "≤"},
    {"==", "="},     {">", ">"},      {"<", "<"},      {"=", "="},
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True when s starts a thousands group: exactly three digits. */
static int is_group(const char *s)
{
	return is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && !is_digit(s[3]);
}

/* Match an operator at s: *op gets the canonical op; returns bytes matched or 0. */
static size_t match_op(const char *s, const char **op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(s, ops[i].text, n) == 0) {
			*op = ops[i].op;
			return n;
		}
	}
	return 0;
}

/*
 * Copy the number at s into value (size bytes): an optional '-', digits
 * (thousands commas before groups of three dropped), an optional '.' and more digits.  Returns the
 * bytes consumed, or 0 when s holds no number or value is too small.
 */
static size_t scan_value(const char *s, char *value, size_t size)
{
	size_t i = 0, k = 0;
	int dot = 0;

	if (s[0] == '-' || s[0] == '+')
		i++;
	if (!is_digit(s[i]))
		return 0;
	if (s[0] == '-')
		value[k++] = '-';
	for (; is_digit(s[i]) || s[i] == ',' || (s[i] == '.' && !dot && is_digit(s[i + 1])); i++) {
		if (s[i] == ',' && (dot || !is_group(s + i + 1)))
			break;
		if (s[i] == ',')
			continue;
		dot |= s[i] == '.';
		if (k + 1 >= size)
			return 0;
		value[k++] = s[i];
	}
	value[k] = '\0';
	return i;
}

/*
 * Parse a target such as "≥98%", "=53万元", "100%" (a bare number means
 * "="), "> = 90 分".  Returns true with t filled when the text starts with an
 * optional operator and a number; otherwise false with every field "".
 * The unit is the trimmed, half-width-folded rest ("≥95%以上" -> "%以上").
 */
bool target_parse(const char *text, struct target *t)
{
	char fold[TARGET_TEXT_MAX], s[TARGET_TEXT_MAX];
	const char *op = "=", *p;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!text)
		return false;
	text_halfwidth(text, fold, sizeof(fold));
	text_trim(fold, s, sizeof(s), NULL);
	p = s + match_op(s, &op);
	while (*p == ' ')
		p++;
	n = scan_value(p, t->value, sizeof(t->value));
	if (n == 0) {
		memset(t, 0, sizeof(*t));
		return false;
	}
	snprintf(t->op, sizeof(t->op), "%s", op);
	text_trim(p + n, t->unit, sizeof(t->unit), NULL);
	return true;
}
