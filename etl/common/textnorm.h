/*
 * textnorm: the text rules that every stage shares, on UTF-8 strings.
 *
 * All functions write into a caller-provided buffer (dst, size) and always
 * NUL-terminate it (truncating on overflow); they return dst.  Input is
 * NUL-terminated UTF-8 and is never modified.
 */
#ifndef ETL_TEXTNORM_H
#define ETL_TEXTNORM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Trim ASCII white space, U+3000 (ideographic space) and U+00A0 from both
 * ends.  *indent (may be NULL) receives the number of leading U+3000 / pairs
 * of ASCII spaces, the indentation departments use to show a row's level.
 */
char *text_trim(const char *src, char *dst, size_t size, int *indent);

/*
 * Fold full-width forms to ASCII: digits ０-９, letters, ，．－＋（）［］【】：
 * and U+3000 to ' '.  Other characters are copied unchanged.
 */
char *text_halfwidth(const char *src, char *dst, size_t size);

/*
 * The matching key for titles and header wording: half-width folding, then
 * every space, punctuation mark (ASCII and CJK: ，。、；：“”‘’（）《》【】 etc.)
 * and line break removed.  "一般公共预算“三公”经费支出表" and
 * "一般公共预算\"三公\"经费 支出表" give the same key.
 */
char *text_key(const char *src, char *dst, size_t size);

/*
 * Strip a leading ordinal ("一、", "（一）", "1.", "1、") from a label:
 * "一、一般公共预算拨款收入" -> "一般公共预算拨款收入".
 */
char *text_strip_ordinal(const char *src, char *dst, size_t size);

/* True when s is one or more ASCII digits and nothing else. */
bool text_all_digits(const char *s);

/* True when every byte sequence of s (len bytes) is valid UTF-8. */
bool text_valid_utf8(const char *s, size_t len);

/*
 * Drop a UTF-8 sequence cut short at the end of s, as a truncating snprintf
 * leaves it: what reaches COPY must stay valid UTF-8 (PostgreSQL refuses
 * anything else).  s is changed in place.
 */
void text_utf8_cut(char *s);

/* snprintf "%s" (src NULL: "") that never leaves half a character. */
char *text_copy(char *dst, size_t size, const char *src);

/*
 * Make s safe to print on one line and to store as UTF-8 text: control
 * characters become \n, \r, \t or \xHH, bytes that are not valid UTF-8
 * become \xHH (a GBK file name from an archive made on Chinese Windows);
 * everything else is copied.  Cut on a character boundary when dst is
 * too small.
 */
char *text_escape_controls(const char *src, char *dst, size_t size);

/*
 * Only the bytes of src that are not valid UTF-8 become \xHH; everything
 * else is copied.  Cut on a character boundary when dst is too small.
 */
char *text_escape_invalid(const char *src, char *dst, size_t size);

/*
 * A file path as the stream and etl.files hold it: as text_escape_controls,
 * and a backslash doubled, so that every escaped path stands for exactly one
 * name ("a\\x41.csv" is the name a\x41.csv, "a\x41.csv" the byte 0x41).
 */
char *text_escape_path(const char *src, char *dst, size_t size);

#endif
