#include "textnorm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

/* A byte that does not start a valid UTF-8 sequence: copied through as is. */
#define CP_INVALID 0xFFFFFFFFu

/*
 * Output cursor over a caller buffer.  Characters are appended whole or not
 * at all, so truncation never splits a UTF-8 sequence; the buffer is always
 * NUL-terminated when size > 0.
 */
struct out {
	char *dst;
	size_t size;
	size_t len;
	int full;
};

static void out_init(struct out *o, char *dst, size_t size)
{
	o->dst = dst;
	o->size = size;
	o->len = 0;
	o->full = 0;
	if (size > 0)
		dst[0] = '\0';
}

static void out_put(struct out *o, const char *bytes, size_t n)
{
	if (o->full || o->size == 0)
		return;
	if (o->len + n >= o->size) {
		o->full = 1;
		return;
	}
	memcpy(o->dst + o->len, bytes, n);
	o->len += n;
	o->dst[o->len] = '\0';
}

static void out_byte(struct out *o, char c)
{
	out_put(o, &c, 1);
}

/*
 * Decode one strict UTF-8 sequence from s (avail bytes).  Returns its length
 * (1-4) with *cp set, or 0 when s does not start a valid sequence: overlong
 * forms, surrogates, code points above U+10FFFF and truncated sequences are
 * all invalid.
 */
static size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	uint32_t v, min;
	size_t n, i;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xC2)
		return 0;
	if (s[0] < 0xE0) {
		n = 2, min = 0x80, v = s[0] & 0x1Fu;
	} else if (s[0] < 0xF0) {
		n = 3, min = 0x800, v = s[0] & 0x0Fu;
	} else if (s[0] < 0xF5) {
		n = 4, min = 0x10000, v = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/*
 * The character at s (avail bytes, avail > 0): its code point, or CP_INVALID
 * for a byte that starts no valid sequence; *n receives its byte length.
 */
static uint32_t next_char(const char *s, size_t avail, size_t *n)
{
	uint32_t cp;

	*n = utf8_decode((const unsigned char *)s, avail, &cp);
	if (*n == 0) {
		*n = 1;
		return CP_INVALID;
	}
	return cp;
}

/* The half-width form of cp, or cp itself when it has none. */
static uint32_t fold_cp(uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return cp - 0xFEE0;
	switch (cp) {
	case 0x3000: return ' ';
	case 0x3010: return '[';
	case 0x3011: return ']';
	default: return cp;
	}
}

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
	       cp == 0x3000 || cp == 0x00A0;
}

/* Punctuation and spaces that text_key drops, ASCII and CJK. */
static int is_key_noise(uint32_t cp)
{
	if (cp < 0x80)
		return isspace((int)cp) || ispunct((int)cp);
	if (cp == 0x00A0 || cp == 0x00AB || cp == 0x00B7 || cp == 0x00BB)
		return 1;
	if (cp >= 0x2000 && cp <= 0x206F) /* general punctuation: “”‘’—…‧ */
		return 1;
	if ((cp >= 0x3000 && cp <= 0x3004) || (cp >= 0x3008 && cp <= 0x301F) || cp == 0x3030 ||
	    cp == 0x303D || cp == 0x30FB)
		return 1;
	if ((cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6B))
		return 1;
	return cp >= 0xFF5F && cp <= 0xFF65; /* half-width CJK punctuation */
}

/* Emit cp folded: the ASCII byte when folding changed it, else the source bytes. */
static void put_folded(struct out *o, const char *s, size_t n, uint32_t cp)
{
	uint32_t f = fold_cp(cp);

	if (cp != CP_INVALID && f != cp)
		out_byte(o, (char)f);
	else
		out_put(o, s, n);
}

/*
 * Trim: copy src without leading and trailing white space; *indent gets the
 * count of leading U+3000 plus half the count of leading ASCII spaces.
 */
char *text_trim(const char *src, char *dst, size_t size, int *indent)
{
	size_t len = strlen(src), i = 0, n, end = 0, start;
	int ideo = 0, spaces = 0;
	struct out o;
	uint32_t cp;

	out_init(&o, dst, size);
	while (i < len && is_space_cp(cp = next_char(src + i, len - i, &n))) {
		ideo += cp == 0x3000;
		spaces += cp == ' ';
		i += n;
	}
	start = i;
	while (i < len) {
		cp = next_char(src + i, len - i, &n);
		i += n;
		if (!is_space_cp(cp))
			end = i;
	}
	for (i = start; i < end; i += n) {
		next_char(src + i, end - i, &n);
		out_put(&o, src + i, n);
	}
	if (indent)
		*indent = ideo + spaces / 2;
	return dst;
}

/*
 * Fold the Halfwidth and Fullwidth Forms block (U+FF01-U+FF5E: digits,
 * letters, ，．－＋（）［］：％＝＞＜ …) to ASCII, U+3000 to ' ' and 【】 to [].
 */
char *text_halfwidth(const char *src, char *dst, size_t size)
{
	size_t len = strlen(src), i, n;
	struct out o;

	out_init(&o, dst, size);
	for (i = 0; i < len; i += n) {
		uint32_t cp = next_char(src + i, len - i, &n);

		put_folded(&o, src + i, n, cp);
	}
	return dst;
}

/* Matching key: folded, with all spaces and punctuation removed. */
char *text_key(const char *src, char *dst, size_t size)
{
	size_t len = strlen(src), i, n;
	struct out o;

	out_init(&o, dst, size);
	for (i = 0; i < len; i += n) {
		uint32_t cp = next_char(src + i, len - i, &n);

		if (cp != CP_INVALID && is_key_noise(fold_cp(cp)))
			continue;
		put_folded(&o, src + i, n, cp);
	}
	return dst;
}

/* Chinese numerals, ordinary and financial (大写). */
static int is_cn_numeral(uint32_t cp)
{
	static const uint32_t cn[] = {0x96F6, 0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
	                              0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341,
	                              0x767E, 0x58F9, 0x8D30, 0x53C1, 0x8086, 0x4F0D,
	                              0x9646, 0x67D2, 0x634C, 0x7396, 0x62FE};
	size_t i;

	for (i = 0; i < sizeof(cn) / sizeof(cn[0]); i++)
		if (cn[i] == cp)
			return 1;
	return 0;
}

static int is_digit_cp(uint32_t cp)
{
	uint32_t f = fold_cp(cp);

	return f >= '0' && f <= '9';
}

/* Length of the run of characters at s[0..len) satisfying pred; *count gets their number. */
static size_t scan_run(const char *s, size_t len, int (*pred)(uint32_t), int *count)
{
	size_t i = 0, n;

	*count = 0;
	while (i < len && pred(next_char(s + i, len - i, &n))) {
		i += n;
		(*count)++;
	}
	return i;
}

static int is_ordinal_numeral(uint32_t cp)
{
	return is_digit_cp(cp) || is_cn_numeral(cp);
}

/*
 * Length of the ordinal at the start of s[0..len), 0 when there is none.
 * Recognised: "（一）" "(1)" (ASCII or full-width parentheses), "一、"
 * "十二." (Chinese numerals and 、 or a full stop), "1." "1、" "1)" (a full
 * stop only when no digit follows, so "1.5万元" is kept), and ①-⒛.
 */
static size_t ordinal_len(const char *s, size_t len)
{
	size_t i, n, m;
	int cnt;
	uint32_t cp = next_char(s, len, &n), f = fold_cp(cp), sep;

	if (cp >= 0x2460 && cp <= 0x249B) /* ①-⑳ ⑴-⒇ ⒈-⒛ */
		return n;
	if (f == '(') {
		i = n + scan_run(s + n, len - n, is_ordinal_numeral, &cnt);
		if (cnt == 0 || i >= len || fold_cp(next_char(s + i, len - i, &m)) != ')')
			return 0;
		return i + m;
	}
	i = scan_run(s, len, is_digit_cp, &cnt);
	if (cnt > 0 && cnt <= 3 && i < len) {
		sep = fold_cp(next_char(s + i, len - i, &m));
		if (sep == 0x3001 || sep == ')')
			return i + m;
		if (sep == '.' &&
		    !(i + m < len && is_digit_cp(next_char(s + i + m, len - i - m, &n))))
			return i + m;
		return 0;
	}
	i = scan_run(s, len, is_cn_numeral, &cnt);
	if (cnt > 0 && i < len) {
		sep = fold_cp(next_char(s + i, len - i, &m));
		if (sep == 0x3001 || sep == '.')
			return i + m;
	}
	return 0;
}

static int is_space_pred(uint32_t cp)
{
	return is_space_cp(cp);
}

/*
 * Strip one leading ordinal and the spaces around it; the result is trimmed.
 * A label that is only an ordinal ("（一）") is kept as it is.
 */
char *text_strip_ordinal(const char *src, char *dst, size_t size)
{
	size_t len = strlen(src), start, k;
	int cnt;

	start = scan_run(src, len, is_space_pred, &cnt);
	k = ordinal_len(src + start, len - start);
	if (k > 0) {
		k += scan_run(src + start + k, len - start - k, is_space_pred, &cnt);
		if (start + k < len)
			return text_trim(src + start + k, dst, size, NULL);
	}
	return text_trim(src + start, dst, size, NULL);
}

/* Strict UTF-8 check of s[0..len); NUL bytes are valid (U+0000). */
bool text_valid_utf8(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	if (!s)
		return len == 0;
	while (i < len) {
		size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

bool text_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void text_utf8_cut(char *s)
{
	size_t n = strlen(s), start = n, need;
	unsigned char b;

	while (start > 0 && n - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return;
	b = (unsigned char)s[start - 1];
	if (b < 0x80)
		return;
	need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
	if (n - (start - 1) < need)
		s[start - 1] = '\0';
}

char *text_copy(char *dst, size_t size, const char *src)
{
	if (size == 0)
		return dst;
	snprintf(dst, size, "%s", src ? src : "");
	text_utf8_cut(dst);
	return dst;
}

static char *escape(const char *src, char *dst, size_t size, bool controls, bool backslash);

char *text_escape_controls(const char *src, char *dst, size_t size)
{
	return escape(src, dst, size, true, false);
}

char *text_escape_invalid(const char *src, char *dst, size_t size)
{
	return escape(src, dst, size, false, false);
}

char *text_escape_path(const char *src, char *dst, size_t size)
{
	return escape(src, dst, size, true, true);
}

static char *escape(const char *src, char *dst, size_t size, bool controls, bool backslash)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t len = strlen(src), i = 0, o = 0;

	if (size == 0)
		return dst;
	while (i < len) {
		char rep[8];
		size_t rn;
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0) {
			snprintf(rep, sizeof(rep), "\\x%02X", s[i]);
			rn = 4;
			n = 1;
		} else if (backslash && cp == '\\') {
			memcpy(rep, "\\\\", rn = 2);
		} else if (controls && (cp < 0x20 || cp == 0x7F)) {
			if (cp == '\n')
				memcpy(rep, "\\n", rn = 2);
			else if (cp == '\r')
				memcpy(rep, "\\r", rn = 2);
			else if (cp == '\t')
				memcpy(rep, "\\t", rn = 2);
			else {
				snprintf(rep, sizeof(rep), "\\x%02X", (unsigned)cp);
				rn = 4;
			}
		} else {
			memcpy(rep, s + i, n);
			rn = n;
		}
		if (o + rn >= size)
			break;
		memcpy(dst + o, rep, rn);
		o += rn;
		i += n;
	}
	dst[o] = '\0';
	return dst;
}
