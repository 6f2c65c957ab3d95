/*
 * escape: HTML and CSV escaping of text from the data (escape.h).
 */
#include "escape.h"

#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s, 0 when invalid.  Reads at most
 * up to the first byte that is not a continuation, so never past the NUL.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/* overlong three- and four-byte forms, surrogates, beyond U+10FFFF */
	if (len == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
		return 0;
	if (len == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
		return 0;
	return len;
}

void esc_html_n(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (!s)
		return;
	while (i < n && p[i]) {
		unsigned char c = p[i];
		size_t len;

		switch (c) {
		case '&':
			fputs("&amp;", out);
			i++;
			continue;
		case '<':
			fputs("&lt;", out);
			i++;
			continue;
		case '>':
			fputs("&gt;", out);
			i++;
			continue;
		case '"':
			fputs("&quot;", out);
			i++;
			continue;
		case '\'':
			fputs("&#39;", out);
			i++;
			continue;
		case '\t':
		case '\n':
		case '\r':
			putc(c, out);
			i++;
			continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7F) {
			fprintf(out, "\\x%02X", c);
			i++;
			continue;
		}
		len = utf8_len(p + i);
		if (len == 0) {
			fprintf(out, "\\x%02X", c);
			i++;
			continue;
		}
		if (i + len > n)
			break; /* the cut falls inside a character: drop it */
		fwrite(p + i, 1, len, out);
		i += len;
	}
}

void esc_html(FILE *out, const char *s)
{
	if (s)
		esc_html_n(out, s, strlen(s));
}

bool esc_csv_formula_like(const char *s)
{
	return s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	             s[0] == '\r');
}

void esc_csv(FILE *out, bool first, const char *s, bool text)
{
	if (!first)
		putc(',', out);
	if (!s)
		return;
	putc('"', out);
	if (text && esc_csv_formula_like(s))
		putc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}
