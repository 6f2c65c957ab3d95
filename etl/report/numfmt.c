/*
 * numfmt: exact decimal formatting on text (numfmt.h).
 */
#include "numfmt.h"

#include <stdbool.h>
#include <string.h>

/* Parsed decimal: sign, digits without the point, digits before the point. */
struct dec {
	bool neg;
	char d[NUMFMT_DIGITS + 1];
	int n;     /* digits in d */
	int point; /* digits of d before the point */
	int frac;  /* digits after the point, as written */
};

static int parse(const char *s, struct dec *x)
{
	bool seen_point = false;

	memset(x, 0, sizeof(*x));
	if (!s)
		return -1;
	if (*s == '-' || *s == '+')
		x->neg = *s++ == '-';
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (x->n >= NUMFMT_DIGITS)
				return -1;
			x->d[x->n++] = *s;
			if (seen_point)
				x->frac++;
		} else if (*s == '.' && !seen_point) {
			seen_point = true;
			x->point = x->n;
		} else {
			return -1;
		}
	}
	if (x->n == 0)
		return -1;
	if (!seen_point)
		x->point = x->n;
	return 0;
}

/*
 * Write sign, int digits (leading zeros dropped, one kept) with separators,
 * '.', frac digits into buf; -1 when it does not fit.
 */
static int emit(bool neg, const char *ip, int ni, const char *fp, int nf, bool group, char *buf,
                size_t size)
{
	size_t o = 0;
	bool zero = true;

	while (ni > 1 && *ip == '0') {
		ip++;
		ni--;
	}
	for (int i = 0; i < ni; i++)
		zero = zero && ip[i] == '0';
	for (int i = 0; i < nf; i++)
		zero = zero && fp[i] == '0';
	if ((size_t)(ni + ni / 3 + nf + 3) >= size)
		return -1;
	if (neg && !zero)
		buf[o++] = '-';
	for (int i = 0; i < ni; i++) {
		if (group && i > 0 && (ni - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = ip[i];
	}
	if (nf > 0) {
		buf[o++] = '.';
		memcpy(buf + o, fp, (size_t)nf);
		o += (size_t)nf;
	}
	buf[o] = '\0';
	return 0;
}

static char *fail(char *buf, size_t size)
{
	if (size > 0)
		buf[0] = '\0';
	return NULL;
}

static char *scale(const char *dec, int shift, int decimals, bool group, char *buf, size_t size)
{
	/* the digits laid out with room for leading and trailing zeros */
	char w[3 * NUMFMT_DIGITS + 8];
	struct dec x;
	int lead, p, need, len;

	if (parse(dec, &x) < 0 || shift < -12 || shift > 12 || decimals < 0 || decimals > 12)
		return fail(buf, size);
	/* the point after the shift, counted in digits of x.d */
	p = x.point + shift;
	/* zeros in front so that at least one digit stands before the point */
	lead = p < 1 ? 1 - p : 0;
	memset(w, '0', sizeof(w));
	memcpy(w + lead, x.d, (size_t)x.n);
	p += lead;
	need = p + decimals; /* digits kept; w[need] decides the rounding */
	len = lead + x.n;
	if (need + 1 > (int)sizeof(w) - 1)
		return fail(buf, size);
	if (len > need && w[need] >= '5') {
		int i = need - 1;

		while (i >= 0 && w[i] == '9')
			w[i--] = '0';
		if (i >= 0) {
			w[i]++;
		} else {
			/* carried out of the first digit: one more digit in front */
			memmove(w + 1, w, (size_t)need);
			w[0] = '1';
			p++;
		}
	}
	if (emit(x.neg, w, p, w + p, decimals, group, buf, size) < 0)
		return fail(buf, size);
	return buf;
}

char *numfmt_scale(const char *dec, int shift, int decimals, char *buf, size_t size)
{
	return scale(dec, shift, decimals, true, buf, size);
}

char *numfmt_scale_plain(const char *dec, int shift, int decimals, char *buf, size_t size)
{
	return scale(dec, shift, decimals, false, buf, size);
}

char *numfmt_group(const char *dec, char *buf, size_t size)
{
	struct dec x;

	if (parse(dec, &x) < 0)
		return fail(buf, size);
	if (x.point == 0) /* ".5" */
		return numfmt_scale(dec, 0, x.frac, buf, size);
	if (emit(x.neg, x.d, x.point, x.d + x.point, x.frac, true, buf, size) < 0)
		return fail(buf, size);
	return buf;
}

char *numfmt_wan(const char *yuan, char *buf, size_t size)
{
	return numfmt_scale(yuan, -4, 2, buf, size);
}

char *numfmt_wan_plain(const char *yuan, char *buf, size_t size)
{
	return numfmt_scale_plain(yuan, -4, 2, buf, size);
}

char *numfmt_pct(const char *fraction, char *buf, size_t size)
{
	return numfmt_scale(fraction, 2, 2, buf, size);
}
