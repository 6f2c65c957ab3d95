#include "infile.h"

#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *encoding_name(enum encoding e)
{
	switch (e) {
	case ENC_UTF8: return "utf-8";
	case ENC_UTF8_BOM: return "utf-8-bom";
	case ENC_GB18030: return "gb18030";
	case ENC_UTF16LE: return "utf-16le";
	case ENC_UTF16BE: return "utf-16be";
	}
	return "?";
}

/* Length a UTF-8 lead byte announces, 0 for a byte that cannot lead. */
static int utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

/* Strict check of one complete sequence of n bytes (no overlongs, surrogates). */
static int utf8_seq_ok(const unsigned char *s, int n)
{
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && s[0] == 0xE0 && s[1] < 0xA0)
		return 0;
	if (n == 3 && s[0] == 0xED && s[1] > 0x9F)
		return 0;
	if (n == 4 && s[0] == 0xF0 && s[1] < 0x90)
		return 0;
	if (n == 4 && s[0] == 0xF4 && s[1] > 0x8F)
		return 0;
	return 1;
}

int64_t utf8_first_invalid(const unsigned char *buf, size_t len, size_t *tail)
{
	size_t i = 0;

	*tail = 0;
	while (i < len) {
		int n;

		if (buf[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(buf[i]);
		if (n == 0)
			return (int64_t)i;
		if (i + (size_t)n > len) {
			/* Incomplete at the end: valid so far only if the
			 * continuation bytes present are continuation bytes. */
			for (size_t j = i + 1; j < len; j++)
				if ((buf[j] & 0xC0) != 0x80)
					return (int64_t)i;
			*tail = len - i;
			return -1;
		}
		if (!utf8_seq_ok(buf + i, n))
			return (int64_t)i;
		i += (size_t)n;
	}
	return -1;
}

/* sha256 of the bytes on disk; also tells whether the file is gzip. */
/*
 * Open path for reading: only a regular file is read (a FIFO named .csv
 * would block in open(), a symlink to /dev/zero would never end), and a
 * file larger on disk than the decompressed limit is refused before a byte
 * is read.  O_NONBLOCK makes open() of a FIFO return at once; it is
 * cleared for the reads.  Returns the descriptor or -1.
 */
static int open_regular(const char *path, int64_t *size, struct etl_err *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return etl_fail(err, errno == ENOENT ? "not_found" : "io_error", 0, NULL,
		                "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return etl_fail(
		    err, "not_regular_file", 0, NULL,
		    "not a regular file (a pipe, device or socket): only files are read");
	}
	if ((int64_t)st.st_size > INFILE_MAX_BYTES) {
		close(fd);
		return etl_fail(err, "too_large", 0, NULL, "the file is larger than %lld bytes",
		                (long long)INFILE_MAX_BYTES);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*size = (int64_t)st.st_size;
	return fd;
}

/*
 * Per-process state set up once, not per file (a hash context, an iconv
 * descriptor per source encoding): on thousands of small files their setup
 * was most of the cost of reading one.  Never freed: they live as long as
 * the process.
 */
static EVP_MD_CTX *hash_context(void)
{
	static EVP_MD_CTX *md;

	if (!md)
		md = EVP_MD_CTX_new();
	return md;
}

/* A descriptor from encoding from to UTF-8, reset to its initial state. */
static iconv_t decoder_for(const char *from)
{
	static struct {
		const char *from;
		iconv_t cd;
	} cache[4];

	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		if (!cache[i].from) {
			cache[i].cd = iconv_open("UTF-8", from);
			if (cache[i].cd == (iconv_t)-1)
				return cache[i].cd;
			cache[i].from = from;
		}
		if (strcmp(cache[i].from, from) == 0) {
			iconv(cache[i].cd, NULL, NULL, NULL, NULL);
			return cache[i].cd;
		}
	}
	return iconv_open("UTF-8", from); /* never: three encodings are read */
}

static int hash_file(struct infile *f, int fd, struct etl_err *err)
{
	EVP_MD_CTX *md = hash_context();
	unsigned char digest[32];
	unsigned int dlen = 0;
	ssize_t n;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	f->disk_bytes = 0;
	while ((n = read(fd, f->raw, INFILE_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			return etl_fail(err, "io_error", 0, NULL, "read error: %s",
			                strerror(errno));
		}
		if (f->disk_bytes == 0 && n >= 2 && f->raw[0] == 0x1f && f->raw[1] == 0x8b)
			f->compressed = 1;
		EVP_DigestUpdate(md, f->raw, (size_t)n);
		f->disk_bytes += (int64_t)n;
		if (f->disk_bytes > INFILE_MAX_BYTES) { /* it grew while being read */
			return etl_fail(err, "too_large", 0, NULL,
			                "the file is larger than %lld bytes",
			                (long long)INFILE_MAX_BYTES);
		}
	}
	EVP_DigestFinal_ex(md, digest, &dlen);
	for (unsigned int i = 0; i < dlen; i++)
		snprintf(f->sha256 + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

/* Read decompressed bytes, enforcing the size and gzip-bomb limits. */
static int gz_fill(struct infile *f, unsigned char *buf, size_t cap, int64_t *total,
                   struct etl_err *err)
{
	int n = gzread(f->gz, buf, (unsigned)cap);

	if (n < 0) {
		int zerr;
		const char *msg = gzerror(f->gz, &zerr);

		return etl_fail(err, "bad_gzip", 0, NULL,
		                "gzip stream is corrupt after %lld bytes: %s", (long long)*total,
		                msg);
	}
	/* zlib reports a cut-off stream as a soft error: the data so far, then 0. */
	if (n == 0 && f->compressed) {
		int zerr;

		gzerror(f->gz, &zerr);
		if (zerr == Z_BUF_ERROR)
			return etl_fail(err, "bad_gzip", 0, NULL,
			                "gzip stream is truncated after %lld bytes",
			                (long long)*total);
	}
	*total += n;
	if (*total > INFILE_MAX_BYTES)
		return etl_fail(err, "too_large", 0, NULL,
		                "file is larger than %lld bytes after decompression",
		                (long long)INFILE_MAX_BYTES);
	if (f->compressed && *total > (64 << 20) && *total / INFILE_MAX_RATIO > f->disk_bytes)
		return etl_fail(
		    err, "too_large", 0, NULL,
		    "gzip expands more than %d times (%lld bytes from %lld): refused as a "
		    "gzip bomb",
		    INFILE_MAX_RATIO, (long long)*total, (long long)f->disk_bytes);
	return n;
}

/* Guess the encoding from the first bytes: BOMs, then NUL patterns. */
static int sniff(struct infile *f, const unsigned char *b, size_t n, size_t *skip,
                 struct etl_err *err)
{
	size_t nul_even = 0, nul_odd = 0;

	*skip = 0;
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		f->enc = ENC_UTF8_BOM;
		*skip = 3;
		return 0;
	}
	if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
		f->enc = ENC_UTF16LE;
		*skip = 2;
		return 0;
	}
	if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
		f->enc = ENC_UTF16BE;
		*skip = 2;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (b[i] == 0 && i % 2)
			nul_odd++;
		else if (b[i] == 0)
			nul_even++;
	f->enc = ENC_UTF8;
	if (nul_odd + nul_even == 0)
		return 0;
	/*
	 * UTF-16 without a BOM: ASCII-range text (digits, commas, line breaks:
	 * at least an eighth of a budget table) puts a NUL in every other
	 * byte, and a few CJK characters (U+4E00 一, U+5200 刀) one in the
	 * other.  Validation decides; an unproven decoding is refused later.
	 * A stray NUL or two in a short file is not UTF-16: it is not text.
	 */
	if (nul_odd >= 8 && nul_odd * 16 > n && nul_even * 8 < nul_odd)
		f->enc = ENC_UTF16LE;
	else if (nul_even >= 8 && nul_even * 16 > n && nul_odd * 8 < nul_even)
		f->enc = ENC_UTF16BE;
	else {
		const unsigned char *z = memchr(b, 0, n);

		err->offset = z ? z - b : 0;
		return etl_fail(err, "not_text", 0, NULL,
		                "not a text file: NUL byte at offset %lld", (long long)err->offset);
	}
	return 0;
}

/*
 * Whole-stream strict UTF-8 check from the current position (byte offset
 * base in the text); *bad receives the first bad offset or -1.
 */
static int validate_utf8(struct infile *f, int64_t base, int64_t *bad, struct etl_err *err)
{
	int64_t total = 0;
	size_t carry = 0;
	int n;

	*bad = -1;
	while ((n = gz_fill(f, f->raw + carry, INFILE_CHUNK - carry, &total, err)) > 0) {
		size_t len = carry + (size_t)n, tail;
		int64_t off = utf8_first_invalid(f->raw, len, &tail);
		const unsigned char *nul;

		if (off >= 0) {
			*bad = base + off;
			return 0;
		}
		nul = memchr(f->raw, 0, len - tail);
		if (nul) {
			err->offset = base + (nul - f->raw);
			return etl_fail(err, "not_text", 0, NULL,
			                "not a text file: NUL byte at offset %lld",
			                (long long)err->offset);
		}
		memmove(f->raw, f->raw + len - tail, tail);
		base += (int64_t)(len - tail);
		carry = tail;
	}
	if (n < 0)
		return -1;
	if (carry)
		*bad = base;
	return 0;
}

/*
 * Offset of the first NUL character in b[0..len), or -1: a 0x00 byte in
 * GB18030 (never inside a multibyte sequence), a zero code unit in UTF-16
 * (b starts on a code unit).  iconv passes NUL through, and sniff() only
 * saw the first chunk.
 */
static int64_t nul_char(const unsigned char *b, size_t len, size_t unit)
{
	for (size_t i = 0; i + unit <= len; i += unit)
		if (b[i] == 0 && (unit == 1 || b[i + 1] == 0))
			return (int64_t)i;
	return -1;
}

/* The same check through iconv, for GB18030 and UTF-16. */
static int validate_iconv(struct infile *f, const char *from, int64_t base, int64_t *bad,
                          struct etl_err *err)
{
	iconv_t cd = decoder_for(from);
	static char out[INFILE_CHUNK * 4];
	int64_t total = 0;
	size_t carry = 0;
	int n, rc = 0;

	*bad = -1;
	if (cd == (iconv_t)-1)
		return etl_fail(err, "internal", 0, NULL, "iconv cannot convert from %s", from);
	while ((n = gz_fill(f, f->raw + carry, INFILE_CHUNK - carry, &total, err)) > 0) {
		char *in = (char *)f->raw;
		size_t inleft = carry + (size_t)n;
		int64_t nul = nul_char(f->raw, inleft, strcmp(from, "GB18030") == 0 ? 1 : 2);

		if (nul >= 0) {
			err->offset = base + nul;
			return etl_fail(err, "not_text", 0, NULL,
			                "not a text file: NUL byte at offset %lld",
			                (long long)err->offset);
		}
		while (inleft > 0) {
			char *o = out;
			size_t oleft = sizeof(out);

			if (iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1 || errno == E2BIG)
				continue;
			if (errno == EILSEQ) {
				*bad = base + (in - (char *)f->raw);
				goto done;
			}
			break; /* EINVAL: an incomplete sequence that needs more input */
		}
		base += in - (char *)f->raw;
		memmove(f->raw, in, inleft);
		carry = inleft;
	}
	if (n < 0)
		rc = -1;
	else if (carry)
		*bad = base;
done:
	return rc;
}

static int gz_reopen(struct infile *f, size_t skip, struct etl_err *err)
{
	if (gzrewind(f->gz) != 0)
		return etl_fail(err, "io_error", 0, NULL, "cannot rewind");
	if (skip && gzseek(f->gz, (z_off_t)skip, SEEK_SET) < 0)
		return etl_fail(err, "io_error", 0, NULL, "cannot seek");
	f->raw_len = 0;
	f->eof = 0;
	return 0;
}

static int open_decoder(struct infile *f, struct etl_err *err)
{
	const char *from = f->enc == ENC_GB18030   ? "GB18030"
	                   : f->enc == ENC_UTF16LE ? "UTF-16LE"
	                                           : "UTF-16BE";

	f->cd = (iconv_t)-1;
	if (f->enc == ENC_UTF8 || f->enc == ENC_UTF8_BOM)
		return 0;
	f->cd = decoder_for(from);
	if (f->cd == (iconv_t)-1)
		return etl_fail(err, "internal", 0, NULL, "iconv cannot convert from %s", from);
	return 0;
}

/* Decide the encoding: the sniffed candidate, else UTF-8, else GB18030. */
static int decide_encoding(struct infile *f, struct etl_err *err)
{
	int64_t total = 0, bad8 = -1, bad = -1;
	size_t skip = 0;
	int n = gz_fill(f, f->raw, INFILE_CHUNK, &total, err);

	if (n < 0)
		return -1;
	if (n == 0)
		return etl_fail(err, "empty_file", 0, NULL, "the file is empty");
	if (sniff(f, f->raw, (size_t)n, &skip, err) < 0 || gz_reopen(f, skip, err) < 0)
		return -1;
	if (f->enc == ENC_UTF16LE || f->enc == ENC_UTF16BE) {
		if (validate_iconv(f, f->enc == ENC_UTF16LE ? "UTF-16LE" : "UTF-16BE",
		                   (int64_t)skip, &bad, err) < 0)
			return -1;
		if (bad >= 0) {
			err->offset = bad;
			return etl_fail(err, "bad_encoding", 0, NULL,
			                "invalid %s at byte offset %lld", encoding_name(f->enc),
			                (long long)bad);
		}
		return gz_reopen(f, skip, err);
	}
	if (validate_utf8(f, (int64_t)skip, &bad8, err) < 0)
		return -1;
	if (bad8 < 0)
		return gz_reopen(f, skip, err);
	if (f->enc == ENC_UTF8_BOM) {
		err->offset = bad8;
		return etl_fail(
		    err, "bad_encoding", 0, NULL,
		    "file starts with a UTF-8 BOM but has invalid UTF-8 at byte offset %lld",
		    (long long)bad8);
	}
	if (gz_reopen(f, 0, err) < 0 || validate_iconv(f, "GB18030", 0, &bad, err) < 0)
		return -1;
	if (bad >= 0) {
		err->offset = bad;
		return etl_fail(
		    err, "bad_encoding", 0, NULL,
		    "neither UTF-8 (invalid at byte offset %lld) nor GB18030 (invalid at "
		    "byte offset %lld)",
		    (long long)bad8, (long long)bad);
	}
	f->enc = ENC_GB18030;
	return gz_reopen(f, 0, err);
}

int infile_open(struct infile *f, const char *path, struct etl_err *err)
{
	int fd;
	int64_t size;

	memset(f, 0, sizeof(*f));
	f->cd = (iconv_t)-1;
	f->path = strdup(path);
	f->raw = malloc(INFILE_CHUNK);
	if (!f->path || !f->raw)
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	if ((fd = open_regular(path, &size, err)) < 0)
		return -1;
	if (hash_file(f, fd, err) < 0) {
		close(fd);
		return -1;
	}
	if (f->disk_bytes == 0) {
		close(fd);
		return etl_fail(err, "empty_file", 0, NULL, "the file is empty");
	}
	/* the same open file is decoded: what was hashed is what is read */
	if (lseek(fd, 0, SEEK_SET) != 0 || !(f->gz = gzdopen(fd, "rb"))) {
		close(fd);
		return etl_fail(err, "io_error", 0, NULL, "cannot open: %s", strerror(errno));
	}
	gzbuffer(f->gz, INFILE_CHUNK);
	if (decide_encoding(f, err) < 0)
		return -1;
	return open_decoder(f, err);
}

/* UTF-8 input: pass bytes through, holding back an incomplete sequence. */
static ssize_t read_utf8(struct infile *f, char *buf, size_t cap, struct etl_err *err)
{
	int64_t dummy = 0;
	size_t have = f->raw_len, tail;
	int n;

	memcpy(buf, f->raw, have);
	f->raw_len = 0;
	if (f->eof)
		return (ssize_t)have;
	n = gz_fill(f, (unsigned char *)buf + have, cap - have, &dummy, err);
	if (n < 0)
		return -1;
	if (n == 0)
		f->eof = 1;
	have += (size_t)n;
	(void)utf8_first_invalid((unsigned char *)buf, have, &tail);
	if (tail && !f->eof) {
		memcpy(f->raw, buf + have - tail, tail);
		f->raw_len = tail;
		have -= tail;
	}
	return (ssize_t)have;
}

static ssize_t read_iconv(struct infile *f, char *buf, size_t cap, struct etl_err *err)
{
	char *out = buf;
	size_t oleft = cap;

	while (oleft == cap) {
		char *in = (char *)f->raw;
		size_t inleft;

		if (!f->eof && f->raw_len < INFILE_CHUNK / 2) {
			int64_t dummy = 0;
			int n =
			    gz_fill(f, f->raw + f->raw_len, INFILE_CHUNK - f->raw_len, &dummy, err);

			if (n < 0)
				return -1;
			if (n == 0)
				f->eof = 1;
			f->raw_len += (size_t)n;
		}
		if (f->raw_len == 0)
			break;
		in = (char *)f->raw;
		inleft = f->raw_len;
		if (iconv(f->cd, &in, &inleft, &out, &oleft) == (size_t)-1 && errno == EILSEQ)
			return etl_fail(err, "bad_encoding", 0, NULL, "invalid %s sequence",
			                encoding_name(f->enc));
		memmove(f->raw, in, inleft);
		f->raw_len = inleft;
		if (f->eof && inleft && oleft == cap)
			return etl_fail(err, "bad_encoding", 0, NULL,
			                "file ends inside a multibyte character");
	}
	return (ssize_t)(cap - oleft);
}

ssize_t infile_read(struct infile *f, char *buf, size_t cap, struct etl_err *err)
{
	if (f->cd == (iconv_t)-1)
		return read_utf8(f, buf, cap, err);
	return read_iconv(f, buf, cap, err);
}

void infile_close(struct infile *f)
{
	if (f->gz)
		gzclose(f->gz);
	/* f->cd is the process's cached descriptor (decoder_for): kept */
	free(f->path);
	free(f->raw);
	memset(f, 0, sizeof(*f));
	f->cd = (iconv_t)-1;
}
