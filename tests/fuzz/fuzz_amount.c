/*
 * fuzz_amount: amount_parse, amount_format, amount_is_blank,
 * amount_looks_numeric and unit_from_cell on any cell text.
 *
 * Properties:
 *   - no unit, no amount: amount_parse with UNIT_NONE always fails;
 *   - range: every parsed amount lies within ±AMOUNT_MAX_FEN (numeric(18,2));
 *   - round trip: a parsed amount formatted as yuan ("-1234.50") parses
 *     back, in 元, to the same fen; so does any fen in the range (the first
 *     eight bytes of the input, folded into it), and any fen outside it is
 *     refused;
 *   - units agree: the same text in 万元 is exactly 10000 times its value in
 *     元 whenever both parse;
 *   - the predicates agree with the parser: blank text parses to 0 in both
 *     units, numeric text is never blank, a non-zero parse is numeric and a
 *     zero parse is blank;
 *   - errors are bad_amount with a message that is valid UTF-8 when the
 *     text is; amount_format never writes past the size it is given.
 */
#include <stdint.h>
#include <string.h>

#include "amount.h"
#include "fuzz.h"
#include "textnorm.h"

/* "-123.45" and nothing else: what amount_format promises. */
static int is_yuan(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	return n > 0 && s[n] == '.' && strspn(s + n + 1, "0123456789") == 2 && s[n + 3] == '\0';
}

static void round_trip(int64_t fen)
{
	char buf[32];
	struct etl_err e;
	int64_t back = 0;

	amount_format(fen, buf, sizeof(buf));
	FUZZ_ASSERT(is_yuan(buf));
	etl_err_clear(&e);
	FUZZ_ASSERT(amount_parse(buf, UNIT_YUAN, &back, &e) == 0);
	FUZZ_ASSERT(back == fen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	int utf8 = text_valid_utf8(s, strlen(s));
	int64_t fen[3] = {0, 0, 0}, v;
	int rc[3];
	bool blank, numeric;
	struct etl_err e;
	enum unit u;

	for (int k = UNIT_NONE; k <= UNIT_WAN; k++) {
		etl_err_clear(&e);
		fen[k] = 0x5a5a5a5a;
		rc[k] = amount_parse(s, (enum unit)k, &fen[k], &e);
		FUZZ_ASSERT(rc[k] == 0 || rc[k] == -1);
		if (rc[k] < 0) {
			FUZZ_ASSERT(strcmp(e.reason, "bad_amount") == 0);
			FUZZ_ASSERT(fen[k] == 0x5a5a5a5a); /* untouched on error */
			if (utf8)
				FUZZ_ASSERT(text_valid_utf8(e.message, strlen(e.message)));
		} else {
			FUZZ_ASSERT(fen[k] <= AMOUNT_MAX_FEN && fen[k] >= -AMOUNT_MAX_FEN);
			round_trip(fen[k]);
		}
	}
	FUZZ_ASSERT(rc[UNIT_NONE] < 0);
	if (rc[UNIT_YUAN] == 0 && rc[UNIT_WAN] == 0) {
		FUZZ_ASSERT(!__builtin_mul_overflow(fen[UNIT_YUAN], 10000, &v));
		FUZZ_ASSERT(v == fen[UNIT_WAN]);
	}

	blank = amount_is_blank(s);
	numeric = amount_looks_numeric(s);
	FUZZ_ASSERT(!(blank && numeric));
	if (blank)
		FUZZ_ASSERT(rc[UNIT_YUAN] == 0 && fen[UNIT_YUAN] == 0 && rc[UNIT_WAN] == 0 &&
		            fen[UNIT_WAN] == 0);
	for (int k = UNIT_YUAN; k <= UNIT_WAN; k++)
		if (rc[k] == 0)
			FUZZ_ASSERT(fen[k] ? numeric : blank);

	u = unit_from_cell(s);
	FUZZ_ASSERT(u == UNIT_NONE || u == UNIT_YUAN || u == UNIT_WAN);
	FUZZ_ASSERT(unit_name(u) != NULL);
	/* A unit cell is never an amount. */
	if (u != UNIT_NONE)
		FUZZ_ASSERT(rc[UNIT_YUAN] < 0 && !numeric);

	if (size >= 8) {
		char *small;
		size_t cap = data[0] % 40;

		memcpy(&v, data, sizeof(v));
		if (v > AMOUNT_MAX_FEN || v < -AMOUNT_MAX_FEN) {
			char buf[32];
			int64_t back = 0;

			amount_format(v, buf, sizeof(buf));
			FUZZ_ASSERT(amount_parse(buf, UNIT_YUAN, &back, NULL) < 0);
			v %= AMOUNT_MAX_FEN + 1;
		}
		round_trip(v);
		/* A short buffer is cut, never overrun (ASan sees past cap). */
		small = malloc(cap ? cap : 1);
		FUZZ_ASSERT(small != NULL);
		amount_format(v, small, cap);
		if (cap)
			FUZZ_ASSERT(strlen(small) < cap);
		free(small);
	}
	free(s);
	return 0;
}
