/*
 * fuzz_code: code_canonical, code_join, code_split_cell and code_level on
 * any cell text.
 *
 * The input is one cell for code_canonical and code_split_cell, and, cut at
 * its first two '|', the class | section | item columns for code_join.  Its
 * first byte also sets the name buffer size of code_split_cell (1..256, in
 * a buffer of exactly that size, so ASan sees an overrun).
 *
 * Properties:
 *   - a code is always 3, 5 or 7 ASCII digits, with code_level 1, 2 or 3,
 *     and is its own canonical form; return values are -1, 0 or 1, and out
 *     is "" unless 1; errors are bad_code;
 *   - code_join's code starts with the class digits; all-empty columns
 *     give 0;
 *   - code_split_cell's name fits its buffer and is valid UTF-8 when the
 *     cell is; a cell holding only a canonical code splits into that code
 *     and an empty name.
 */
#include <stdint.h>
#include <string.h>

#include "code.h"
#include "fuzz.h"
#include "textnorm.h"

static void check_code(const char *code)
{
	size_t n = strlen(code);
	char again[CODE_MAX];
	struct etl_err e;

	FUZZ_ASSERT(n == 3 || n == 5 || n == 7);
	FUZZ_ASSERT(strspn(code, "0123456789") == n);
	FUZZ_ASSERT(code_level(code) == (int)(n / 2));
	etl_err_clear(&e);
	FUZZ_ASSERT(code_canonical(code, again, &e) == 1 && strcmp(again, code) == 0);
}

static void check_err(int rc, const struct etl_err *e, int utf8)
{
	if (rc >= 0)
		return;
	FUZZ_ASSERT(strcmp(e->reason, "bad_code") == 0);
	if (utf8)
		FUZZ_ASSERT(text_valid_utf8(e->message, strlen(e->message)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	int utf8 = text_valid_utf8(s, strlen(s));
	char out[CODE_MAX], code[CODE_MAX], *name, *cls, *sec = NULL, *item = NULL, *bar;
	size_t name_size = size ? 1 + data[0] % 256 : 1;
	struct etl_err e;
	int rc;

	etl_err_clear(&e);
	rc = code_canonical(s, out, &e);
	FUZZ_ASSERT(rc >= -1 && rc <= 1);
	check_err(rc, &e, utf8);
	if (rc == 1)
		check_code(out);
	else
		FUZZ_ASSERT(out[0] == '\0');
	FUZZ_ASSERT(code_level(s) == 0 || rc == 1);

	name = malloc(name_size);
	FUZZ_ASSERT(name != NULL);
	etl_err_clear(&e);
	rc = code_split_cell(s, code, name, name_size, &e);
	FUZZ_ASSERT(rc >= -1 && rc <= 1);
	check_err(rc, &e, utf8);
	FUZZ_ASSERT(strlen(name) < name_size);
	if (utf8)
		FUZZ_ASSERT(text_valid_utf8(name, strlen(name)));
	if (rc == 1)
		check_code(code);
	else
		FUZZ_ASSERT(code[0] == '\0');
	/* A bare code in one cell: the same code either way, no name. */
	if (code_level(s))
		FUZZ_ASSERT(rc == 1 && strcmp(code, s) == 0 && name[0] == '\0');
	free(name);

	cls = s;
	if ((bar = strchr(cls, '|'))) {
		*bar = '\0';
		sec = bar + 1;
		if ((bar = strchr(sec, '|'))) {
			*bar = '\0';
			item = bar + 1;
		}
	}
	etl_err_clear(&e);
	rc = code_join(cls, sec, item, out, NULL, &e);
	FUZZ_ASSERT(rc >= -1 && rc <= 1);
	check_err(rc, &e, utf8);
	if (rc == 1) {
		check_code(out);
		if (strlen(cls) == 3 && strspn(cls, "0123456789") == 3)
			FUZZ_ASSERT(strncmp(out, cls, 3) == 0);
	} else {
		FUZZ_ASSERT(out[0] == '\0');
	}
	free(s);
	return 0;
}
