/*
 * Unit tests of etl/infile.c: deciding the encoding with proof of validity,
 * seeing through gzip, streaming decoded UTF-8 in whole characters, and the
 * exact byte offset of whatever makes a file unreadable.
 *
 * The Chinese samples are tests/data/cjk-encodings (CPython's cjkencodings,
 * see its LICENSE-NOTE.md); tests run from the repository root.  Every other
 * fixture is written at test time into a fresh folder under $TMPDIR (or
 * build/ when TMPDIR is unset) and removed afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "infile.h"

#define N(a)    (sizeof(a) / sizeof((a)[0]))
#define CJK_DIR "tests/data/cjk-encodings/"

static char tmpdir[4096];

/* ---- fixtures --------------------------------------------------------------- */

static int make_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_infile.XXXXXX", base && *base ? base : "build");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Path of a fixture in the temp folder, written into buf. */
static const char *tmp_path(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

/* The bytes of a file; the caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void write_gzip(const char *path, const void *data, size_t len)
{
	gzFile gz = gzopen(path, "wb");

	assert_non_null(gz);
	if (len)
		assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
	assert_int_equal(gzclose(gz), Z_OK);
}

/* data converted by iconv (UTF-8 to UTF-16 for the fixtures); the caller frees. */
static char *convert(const char *to, const char *from, const char *data, size_t len, size_t *out)
{
	iconv_t cd = iconv_open(to, from);
	size_t cap = len * 4 + 16, oleft = cap;
	char *buf = malloc(cap), *o = buf, *in = (char *)data;

	assert_true(cd != (iconv_t)-1);
	assert_non_null(buf);
	assert_true(iconv(cd, &in, &len, &o, &oleft) != (size_t)-1);
	iconv_close(cd);
	*out = cap - oleft;
	return buf;
}

/*
 * Open path and read it all with chunks of at most cap bytes; every chunk
 * must be whole UTF-8 characters.  Returns the text (caller frees) or NULL
 * with err filled.
 */
static char *decode(const char *path, size_t cap, enum encoding *enc, size_t *len,
                    struct etl_err *err)
{
	struct infile f;
	char *text = NULL, *grown, *chunk = malloc(cap);
	size_t used = 0;
	ssize_t n;

	assert_non_null(chunk);
	etl_err_clear(err);
	if (infile_open(&f, path, err) < 0) {
		infile_close(&f);
		free(chunk);
		return NULL;
	}
	*enc = f.enc;
	while ((n = infile_read(&f, chunk, cap, err)) > 0) {
		size_t tail;

		assert_true((size_t)n <= cap);
		if (utf8_first_invalid((unsigned char *)chunk, (size_t)n, &tail) >= 0 || tail)
			fail_msg("%s: chunk of %zd bytes is not whole UTF-8 characters", path, n);
		grown = realloc(text, used + (size_t)n + 1);
		assert_non_null(grown);
		text = grown;
		memcpy(text + used, chunk, (size_t)n);
		used += (size_t)n;
	}
	infile_close(&f);
	free(chunk);
	if (n < 0) {
		free(text);
		return NULL;
	}
	if (!text)
		text = calloc(1, 1);
	text[used] = '\0';
	*len = used;
	return text;
}

/* Decode path and compare with the bytes of want_path. */
static void expect_decodes_to(const char *path, size_t cap, enum encoding want_enc,
                              const char *want_path)
{
	struct etl_err err;
	enum encoding enc;
	size_t len, wlen;
	char *text = decode(path, cap, &enc, &len, &err);
	unsigned char *want = slurp(want_path, &wlen);

	if (!text)
		fail_msg("%s: %s: %s", path, err.reason, err.message);
	if (enc != want_enc)
		fail_msg("%s: encoding %s, want %s", path, encoding_name(enc),
		         encoding_name(want_enc));
	if (len != wlen || memcmp(text, want, len) != 0)
		fail_msg("%s (cap %zu): decoded text differs from %s", path, cap, want_path);
	free(text);
	free(want);
}

/* Open path expecting failure with reason; returns the error for more checks. */
static struct etl_err expect_refused(const char *path, const char *reason)
{
	struct etl_err err;
	enum encoding enc;
	size_t len;
	char *text = decode(path, INFILE_CHUNK, &enc, &len, &err);

	if (text)
		fail_msg("%s: accepted as %s (%zu bytes), want %s", path, encoding_name(enc), len,
		         reason);
	if (strcmp(err.reason, reason) != 0)
		fail_msg("%s: reason %s (%s), want %s", path, err.reason, err.message, reason);
	return err;
}

/* ---- the cjk-encodings samples -------------------------------------------- */

/* GB2312 and GBK are subsets of GB18030: all three decode as GB18030. */
static void test_gb_family_samples_decode_as_gb18030(void **state)
{
	static const char *const names[] = {"gb18030", "gbk", "gb2312"};
	char path[256], want[256];

	(void)state;
	for (size_t i = 0; i < N(names); i++) {
		snprintf(path, sizeof(path), CJK_DIR "%s.txt", names[i]);
		snprintf(want, sizeof(want), CJK_DIR "%s-utf8.txt", names[i]);
		expect_decodes_to(path, INFILE_CHUNK, ENC_GB18030, want);
	}
}

static void test_utf8_sample_plain_and_with_bom(void **state)
{
	char path[4096];
	size_t len;
	unsigned char *text = slurp(CJK_DIR "gb18030-utf8.txt", &len);
	unsigned char *bom = malloc(len + 3);

	(void)state;
	expect_decodes_to(CJK_DIR "gb18030-utf8.txt", INFILE_CHUNK, ENC_UTF8,
	                  CJK_DIR "gb18030-utf8.txt");
	memcpy(bom, "\xEF\xBB\xBF", 3);
	memcpy(bom + 3, text, len);
	write_bytes(tmp_path("bom.csv", path, sizeof(path)), bom, len + 3);
	/* The BOM is removed from the decoded text. */
	expect_decodes_to(path, INFILE_CHUNK, ENC_UTF8_BOM, CJK_DIR "gb18030-utf8.txt");
	free(text);
	free(bom);
}

/*
 * Big5 bytes are valid GB18030 too (both are lead byte + trail byte in
 * overlapping ranges), so the sample decodes without error into other,
 * meaningless Chinese text.  Validity is no proof of the encoding: table.c
 * proves it by finding a known title in the decoded text
 * (unproven_encoding otherwise), which is what test_table pins.
 */
static void test_big5_decodes_as_gb18030_into_other_text(void **state)
{
	struct etl_err err;
	enum encoding enc;
	size_t len, blen;
	char *text = decode(CJK_DIR "big5.txt", INFILE_CHUNK, &enc, &len, &err);
	unsigned char *big5 = slurp(CJK_DIR "big5-utf8.txt", &blen);

	(void)state;
	if (!text)
		fail_msg("big5.txt: %s: %s", err.reason, err.message);
	assert_int_equal(enc, ENC_GB18030);
	assert_false(len == blen && memcmp(text, big5, len) == 0);
	/* The ASCII survives; the Chinese does not. */
	assert_non_null(strstr(text, "Python"));
	assert_null(strstr(text, "資訊科技"));
	free(text);
	free(big5);
}

/* ---- UTF-16 (Excel's "Unicode text") -------------------------------------- */

static void write_utf16(const char *path, const char *to, const char *bom, size_t bom_len)
{
	size_t len, ulen;
	unsigned char *text = slurp(CJK_DIR "gb18030-utf8.txt", &len);
	char *u = convert(to, "UTF-8", (char *)text, len, &ulen);
	char *all = malloc(ulen + bom_len);

	memcpy(all, bom, bom_len);
	memcpy(all + bom_len, u, ulen);
	write_bytes(path, all, ulen + bom_len);
	free(all);
	free(u);
	free(text);
}

static void test_utf16le_with_bom(void **state)
{
	char path[4096];

	(void)state;
	write_utf16(tmp_path("le.txt", path, sizeof(path)), "UTF-16LE", "\xFF\xFE", 2);
	expect_decodes_to(path, INFILE_CHUNK, ENC_UTF16LE, CJK_DIR "gb18030-utf8.txt");
}

static void test_utf16be_with_bom(void **state)
{
	char path[4096];

	(void)state;
	write_utf16(tmp_path("be.txt", path, sizeof(path)), "UTF-16BE", "\xFE\xFF", 2);
	expect_decodes_to(path, INFILE_CHUNK, ENC_UTF16BE, CJK_DIR "gb18030-utf8.txt");
}

/* Without a BOM, ASCII-range UTF-16 is told by a NUL in every other byte. */
static void test_utf16le_without_bom_told_by_nul_pattern(void **state)
{
	static const char text[] = "a\tb\r\n1\t2\r\n";
	char path[4096], want[4096];
	size_t ulen;
	char *u = convert("UTF-16LE", "UTF-8", text, strlen(text), &ulen);

	(void)state;
	write_bytes(tmp_path("le-nobom.txt", path, sizeof(path)), u, ulen);
	write_bytes(tmp_path("le-nobom-utf8.txt", want, sizeof(want)), text, strlen(text));
	expect_decodes_to(path, INFILE_CHUNK, ENC_UTF16LE, want);
	free(u);
}

/* ---- chunking ----------------------------------------------------------------- */

/* Every cap from the minimum up: no chunk ends inside a character. */
static void test_small_caps_never_split_a_character(void **state)
{
	static const struct {
		const char *path;
		enum encoding enc;
		const char *want;
	} files[] = {
	    {CJK_DIR "gb18030-utf8.txt", ENC_UTF8, CJK_DIR "gb18030-utf8.txt"},
	    {CJK_DIR "gb18030.txt", ENC_GB18030, CJK_DIR "gb18030-utf8.txt"},
	    {CJK_DIR "gbk.txt", ENC_GB18030, CJK_DIR "gbk-utf8.txt"},
	};

	(void)state;
	for (size_t i = 0; i < N(files); i++)
		for (size_t cap = 64; cap < 64 + 8; cap++)
			expect_decodes_to(files[i].path, cap, files[i].enc, files[i].want);
}

static void test_small_caps_utf16(void **state)
{
	char path[4096];

	(void)state;
	write_utf16(tmp_path("le-small.txt", path, sizeof(path)), "UTF-16LE", "\xFF\xFE", 2);
	for (size_t cap = 64; cap < 64 + 8; cap++)
		expect_decodes_to(path, cap, ENC_UTF16LE, CJK_DIR "gb18030-utf8.txt");
}

/* The sample repeated past INFILE_CHUNK: characters straddle the raw buffer. */
static void write_repeated(const char *path, const char *sample, int times, int gz)
{
	size_t len;
	unsigned char *one = slurp(sample, &len);
	unsigned char *all = malloc(len * (size_t)times);

	for (int i = 0; i < times; i++)
		memcpy(all + len * (size_t)i, one, len);
	if (gz)
		write_gzip(path, all, len * (size_t)times);
	else
		write_bytes(path, all, len * (size_t)times);
	free(all);
	free(one);
}

static void test_large_gb18030_crosses_the_raw_buffer(void **state)
{
	char path[4096], want[4096];
	int times = (int)(INFILE_CHUNK * 3 / 864) + 1; /* gb18030.txt is 864 bytes */

	(void)state;
	write_repeated(tmp_path("big-gb.txt", path, sizeof(path)), CJK_DIR "gb18030.txt", times, 0);
	write_repeated(tmp_path("big-gb-utf8.txt", want, sizeof(want)), CJK_DIR "gb18030-utf8.txt",
	               times, 0);
	expect_decodes_to(path, INFILE_CHUNK, ENC_GB18030, want);
	expect_decodes_to(path, 4096 + 3, ENC_GB18030, want);
}

static void test_large_utf8_crosses_the_raw_buffer(void **state)
{
	char path[4096];
	int times = (int)(INFILE_CHUNK * 3 / 1127) + 1; /* gb18030-utf8.txt is 1127 bytes */

	(void)state;
	write_repeated(tmp_path("big-u8.txt", path, sizeof(path)), CJK_DIR "gb18030-utf8.txt",
	               times, 0);
	expect_decodes_to(path, 4096 + 1, ENC_UTF8, path);
}

/* ---- gzip ------------------------------------------------------------------------ */

static void test_gzip_of_each_sample(void **state)
{
	static const struct {
		const char *name;
		enum encoding enc;
		const char *want;
	} cases[] = {
	    {"gb18030", ENC_GB18030, "gb18030-utf8"}, {"gbk", ENC_GB18030, "gbk-utf8"},
	    {"gb2312", ENC_GB18030, "gb2312-utf8"},   {"gb18030-utf8", ENC_UTF8, "gb18030-utf8"},
	    {"big5-utf8", ENC_UTF8, "big5-utf8"},
	};
	char src[256], path[4096], want[256];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		size_t len;
		unsigned char *data;

		snprintf(src, sizeof(src), CJK_DIR "%s.txt", cases[i].name);
		snprintf(want, sizeof(want), CJK_DIR "%s.txt", cases[i].want);
		snprintf(path, sizeof(path), "%s/%s.csv.gz", tmpdir, cases[i].name);
		data = slurp(src, &len);
		write_gzip(path, data, len);
		expect_decodes_to(path, INFILE_CHUNK, cases[i].enc, want);
		expect_decodes_to(path, 64, cases[i].enc, want);
		free(data);
	}
}

static void test_gzip_is_flagged_and_hashed_as_on_disk(void **state)
{
	char path[4096];
	struct infile f;
	struct etl_err err;

	(void)state;
	/* sha256("abc"), the FIPS 180-2 example. */
	write_bytes(tmp_path("abc.csv", path, sizeof(path)), "abc", 3);
	etl_err_clear(&err);
	assert_int_equal(infile_open(&f, path, &err), 0);
	assert_string_equal(f.sha256,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(f.compressed, 0);
	assert_int_equal(f.disk_bytes, 3);
	infile_close(&f);

	write_gzip(tmp_path("abc.csv.gz", path, sizeof(path)), "abc", 3);
	assert_int_equal(infile_open(&f, path, &err), 0);
	assert_int_equal(f.compressed, 1);
	assert_string_not_equal(f.sha256,
	                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	infile_close(&f);
}

/*
 * 100 MiB of '0' as 100 gzip members of 1 MiB each (gzread reads members
 * one after another): a file of about 100 KiB, a ratio near 1000.  It must
 * be refused once 64 MiB have come out, without reading the rest.
 */
static void test_gzip_bomb_refused_by_ratio(void **state)
{
	char path[4096];
	static unsigned char zeros[1 << 20], member[1 << 16];
	z_stream z;
	FILE *fp;
	struct etl_err err;

	(void)state;
	memset(zeros, '0', sizeof(zeros));
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = zeros;
	z.avail_in = sizeof(zeros);
	z.next_out = member;
	z.avail_out = sizeof(member);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	fp = fopen(tmp_path("bomb.csv.gz", path, sizeof(path)), "wb");
	assert_non_null(fp);
	for (int i = 0; i < 100; i++)
		assert_int_equal(fwrite(member, 1, z.total_out, fp), z.total_out);
	fclose(fp);
	deflateEnd(&z);

	err = expect_refused(path, "too_large");
	assert_non_null(strstr(err.message, "gzip bomb"));
	assert_non_null(strstr(err.message, "200 times"));
}

/* Regression: zlib reports a cut-off stream as a soft error; it was read as a short file. */
static void test_truncated_gzip_refused(void **state)
{
	char whole[4096], path[4096];
	size_t len;
	unsigned char *gz;
	static const size_t cut[] = {4, 8, 0};

	(void)state;
	write_repeated(tmp_path("whole.csv.gz", whole, sizeof(whole)), CJK_DIR "gb18030-utf8.txt",
	               50, 1);
	gz = slurp(whole, &len);
	for (size_t i = 0; i < N(cut); i++) {
		struct etl_err err;

		/* cut 4: no size in the trailer; 8: no CRC either; 0: half the stream */
		write_bytes(tmp_path("cut.csv.gz", path, sizeof(path)), gz,
		            cut[i] ? len - cut[i] : len / 2);
		err = expect_refused(path, "bad_gzip");
		assert_non_null(strstr(err.message, "truncated"));
	}
	free(gz);
}

static void test_corrupt_gzip_refused(void **state)
{
	char whole[4096], path[4096];
	size_t len;
	unsigned char *gz;

	(void)state;
	write_repeated(tmp_path("whole2.csv.gz", whole, sizeof(whole)), CJK_DIR "gb18030-utf8.txt",
	               50, 1);
	gz = slurp(whole, &len);
	for (size_t i = len / 3; i < len / 3 + 16; i++)
		gz[i] ^= 0x55;
	write_bytes(tmp_path("corrupt.csv.gz", path, sizeof(path)), gz, len);
	expect_refused(path, "bad_gzip");
	free(gz);
}

/* ---- refusals with their offsets --------------------------------------------- */

static void test_empty_file_refused(void **state)
{
	char path[4096];

	(void)state;
	write_bytes(tmp_path("empty.csv", path, sizeof(path)), "", 0);
	expect_refused(path, "empty_file");
	write_gzip(tmp_path("empty.csv.gz", path, sizeof(path)), "", 0);
	expect_refused(path, "empty_file");
}

static void test_missing_file_is_not_found(void **state)
{
	char path[4096];

	(void)state;
	expect_refused(tmp_path("no-such.csv", path, sizeof(path)), "not_found");
}

static void test_nul_byte_is_not_text_with_its_offset(void **state)
{
	char path[4096];
	struct etl_err err;

	(void)state;
	write_bytes(tmp_path("nul.csv", path, sizeof(path)), "a,b\n1,2\0003\n", 11);
	err = expect_refused(path, "not_text");
	assert_int_equal(err.offset, 7);
	assert_non_null(strstr(err.message, "not a text file"));
}

/* A NUL beyond the first chunk, where the encoding sniffer does not look. */
static void nul_after_first_chunk(const char *name, const char *sample, size_t sample_len)
{
	char path[4096];
	size_t times = INFILE_CHUNK / sample_len + 2, len = sample_len * times;
	char *data = malloc(len + 4);
	struct etl_err err;

	for (size_t i = 0; i < times; i++)
		memcpy(data + i * sample_len, sample, sample_len);
	memcpy(data + len, "x\000y\n", 4);
	write_bytes(tmp_path(name, path, sizeof(path)), data, len + 4);
	err = expect_refused(path, "not_text");
	assert_int_equal(err.offset, (int64_t)len + 1);
	free(data);
}

static void test_nul_after_first_chunk_utf8(void **state)
{
	static const char row[] = "2010301 行政运行,12.00\n";

	(void)state;
	nul_after_first_chunk("nul-u8.csv", row, strlen(row));
}

/* Regression: GB18030 was validated by iconv alone, which passes a NUL through. */
static void test_nul_after_first_chunk_gb18030(void **state)
{
	/* "行政运行,12.00\n" in GB18030 */
	static const char row[] = "\xd0\xd0\xd5\xfe\xd4\xcb\xd0\xd0,12.00\n";

	(void)state;
	nul_after_first_chunk("nul-gb.csv", row, strlen(row));
}

static void test_invalid_utf8_and_gb18030_names_both_offsets(void **state)
{
	char path[4096];
	struct etl_err err;

	(void)state;
	/* 0xFF can neither start a UTF-8 sequence nor a GB18030 one. */
	write_bytes(tmp_path("bad.csv", path, sizeof(path)), "a,b\n1,\xFF\n", 8);
	err = expect_refused(path, "bad_encoding");
	assert_int_equal(err.offset, 6);
	assert_non_null(strstr(err.message, "UTF-8 (invalid at byte offset 6)"));
	assert_non_null(strstr(err.message, "GB18030 (invalid at byte offset 6)"));
}

/* Valid GB18030 up to a point, then 0x80 alone (not a GB18030 lead byte). */
static void test_gb18030_error_offset_after_valid_text(void **state)
{
	char path[4096];
	struct etl_err err;
	static const char data[] = "\xd0\xd0\xd5\xfe,1\n\x80\n";

	(void)state;
	write_bytes(tmp_path("bad-gb.csv", path, sizeof(path)), data, sizeof(data) - 1);
	err = expect_refused(path, "bad_encoding");
	assert_int_equal(err.offset, 7);
	/* UTF-8 fails at once: 0xD0 0xD0 is no UTF-8 pair. */
	assert_non_null(strstr(err.message, "UTF-8 (invalid at byte offset 0)"));
}

static void test_file_ending_inside_a_gb18030_character(void **state)
{
	char path[4096];
	struct etl_err err;

	(void)state;
	write_bytes(tmp_path("cut-gb.csv", path, sizeof(path)), "a,\xd0\xd0\xd5", 5);
	err = expect_refused(path, "bad_encoding");
	assert_int_equal(err.offset, 4);
}

static void test_bom_then_invalid_utf8_counts_the_bom(void **state)
{
	char path[4096];
	struct etl_err err;

	(void)state;
	write_bytes(tmp_path("bom-bad.csv", path, sizeof(path)),
	            "\xEF\xBB\xBF"
	            "a,\xC0\xAF\n",
	            8);
	err = expect_refused(path, "bad_encoding");
	assert_int_equal(err.offset, 5);
	assert_non_null(strstr(err.message, "UTF-8 BOM"));
}

static void test_utf16_lone_surrogate_offset(void **state)
{
	char path[4096];
	struct etl_err err;
	/* BOM, 'a', then U+D800 with no low surrogate, then 'b' */
	static const char data[] = "\xFF\xFE"
	                           "a\0"
	                           "\x00\xD8"
	                           "b\0";

	(void)state;
	write_bytes(tmp_path("surrogate.txt", path, sizeof(path)), data, 8);
	err = expect_refused(path, "bad_encoding");
	assert_int_equal(err.offset, 4);
	assert_non_null(strstr(err.message, "utf-16le"));
}

static void test_utf16_odd_length_offset(void **state)
{
	char path[4096];
	struct etl_err err;

	(void)state;
	write_bytes(tmp_path("odd.txt", path, sizeof(path)), "\xFE\xFF\0a\0", 5);
	err = expect_refused(path, "bad_encoding");
	assert_int_equal(err.offset, 4);
}

/* ---- utf8_first_invalid ---------------------------------------------------------- */

struct u8_case {
	const char *bytes;
	size_t len;
	int64_t bad;
	size_t tail;
};

#define U8(s, bad, tail)                                                                           \
	{                                                                                          \
		s, sizeof(s) - 1, bad, tail                                                        \
	}

static void test_utf8_first_invalid_edges(void **state)
{
	static const struct u8_case cases[] = {
	    U8("", -1, 0),
	    U8("plain ascii", -1, 0),
	    U8("\xC2\x80", -1, 0),         /* U+0080, the first 2-byte */
	    U8("\xDF\xBF", -1, 0),         /* U+07FF */
	    U8("\xE0\xA0\x80", -1, 0),     /* U+0800, the first 3-byte */
	    U8("\xED\x9F\xBF", -1, 0),     /* U+D7FF, below the surrogates */
	    U8("\xEE\x80\x80", -1, 0),     /* U+E000, above them */
	    U8("\xEF\xBB\xBF", -1, 0),     /* U+FEFF, the BOM is a character */
	    U8("\xF0\x90\x80\x80", -1, 0), /* U+10000 */
	    U8("\xF4\x8F\xBF\xBF", -1, 0), /* U+10FFFF, the last */
	    U8("\xC0\xAF", 0, 0),          /* overlong '/' */
	    U8("\xC1\xBF", 0, 0),          /* overlong */
	    U8("\xE0\x9F\xBF", 0, 0),      /* overlong 3-byte */
	    U8("\xF0\x8F\xBF\xBF", 0, 0),  /* overlong 4-byte */
	    U8("\xED\xA0\x80", 0, 0),      /* U+D800, a surrogate */
	    U8("\xF4\x90\x80\x80", 0, 0),  /* above U+10FFFF */
	    U8("\xF5\x80\x80\x80", 0, 0),  /* cannot lead */
	    U8("\xFF", 0, 0),
	    U8("ab\x80", 2, 0),      /* a lone continuation byte */
	    U8("ab\xE4\xB8", -1, 2), /* 中 cut after two bytes: wait for more */
	    U8("ab\xF0\x9F\x98", -1, 3),
	    U8("ab\xE4", -1, 1),
	    U8("ab\xE4\x41", 2, 0),            /* cut short by an ASCII byte */
	    U8("\xE4\xB8\xAD\xE4\xB8", -1, 2), /* one whole character, then a cut one */
	    U8("a\xE4\xB8\xAD\xC2", -1, 1),
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		size_t tail = 99;
		int64_t bad =
		    utf8_first_invalid((const unsigned char *)cases[i].bytes, cases[i].len, &tail);

		if (bad != cases[i].bad || tail != cases[i].tail)
			fail_msg("case %zu: bad %lld tail %zu, want %lld tail %zu", i,
			         (long long)bad, tail, (long long)cases[i].bad, cases[i].tail);
	}
}

/*
 * An incomplete tail is judged only on its continuation bytes: "E0 80" may
 * not be valid once complete (overlong), but the verdict waits for the next
 * chunk, where the whole sequence is checked at its own offset.
 */
static void test_utf8_cut_tail_judged_when_complete(void **state)
{
	size_t tail;

	(void)state;
	assert_int_equal(utf8_first_invalid((const unsigned char *)"x\xE0\x80", 3, &tail), -1);
	assert_int_equal(tail, 2);
	assert_int_equal(utf8_first_invalid((const unsigned char *)"x\xE0\x80\x80", 4, &tail), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gb_family_samples_decode_as_gb18030),
	    cmocka_unit_test(test_utf8_sample_plain_and_with_bom),
	    cmocka_unit_test(test_big5_decodes_as_gb18030_into_other_text),
	    cmocka_unit_test(test_utf16le_with_bom),
	    cmocka_unit_test(test_utf16be_with_bom),
	    cmocka_unit_test(test_utf16le_without_bom_told_by_nul_pattern),
	    cmocka_unit_test(test_small_caps_never_split_a_character),
	    cmocka_unit_test(test_small_caps_utf16),
	    cmocka_unit_test(test_large_gb18030_crosses_the_raw_buffer),
	    cmocka_unit_test(test_large_utf8_crosses_the_raw_buffer),
	    cmocka_unit_test(test_gzip_of_each_sample),
	    cmocka_unit_test(test_gzip_is_flagged_and_hashed_as_on_disk),
	    cmocka_unit_test(test_gzip_bomb_refused_by_ratio),
	    cmocka_unit_test(test_truncated_gzip_refused),
	    cmocka_unit_test(test_corrupt_gzip_refused),
	    cmocka_unit_test(test_empty_file_refused),
	    cmocka_unit_test(test_missing_file_is_not_found),
	    cmocka_unit_test(test_nul_byte_is_not_text_with_its_offset),
	    cmocka_unit_test(test_nul_after_first_chunk_utf8),
	    cmocka_unit_test(test_nul_after_first_chunk_gb18030),
	    cmocka_unit_test(test_invalid_utf8_and_gb18030_names_both_offsets),
	    cmocka_unit_test(test_gb18030_error_offset_after_valid_text),
	    cmocka_unit_test(test_file_ending_inside_a_gb18030_character),
	    cmocka_unit_test(test_bom_then_invalid_utf8_counts_the_bom),
	    cmocka_unit_test(test_utf16_lone_surrogate_offset),
	    cmocka_unit_test(test_utf16_odd_length_offset),
	    cmocka_unit_test(test_utf8_first_invalid_edges),
	    cmocka_unit_test(test_utf8_cut_tail_judged_when_complete),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
