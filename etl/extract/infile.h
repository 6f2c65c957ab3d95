/*
 * infile: one submission file opened for reading as UTF-8 text.
 *
 * infile_open() reads the file once to compute its sha256 (of the bytes on
 * disk), to see through gzip (zlib, streamed) and to decide the encoding with
 * proof of validity:
 *   - a UTF-8 BOM, or no BOM and strictly valid UTF-8 (pure ASCII is UTF-8);
 *   - a UTF-16 BOM (or UTF-16 without BOM, told by its NUL bytes), decoded
 *     by iconv and validated;
 *   - otherwise strictly valid GB18030 (glibc iconv), the superset of GBK
 *     and GB2312 that Excel on Chinese Windows writes.
 * A file that is none of these is refused with the byte offset of the first
 * bad sequence.  Validity alone does not prove an encoding (Big5 decodes as
 * GB18030 without error): the caller proves it by recognising the decoded
 * title row, and refuses the file when it cannot.
 *
 * infile_read() then streams the decoded UTF-8 (BOM removed) in chunks, with
 * memory bounded by the chunk size whatever the file size.
 *
 * Limits (README "Limits"): decompressed size INFILE_MAX_BYTES; a gzip
 * member whose output exceeds INFILE_MAX_RATIO times its compressed size
 * (past 64 MiB) is refused as a gzip bomb.
 *
 * Ownership: struct infile owns its handles and buffers until infile_close().
 * Errors: -1 with err->reason one of not_found, not_text, bad_encoding,
 * too_large, bad_gzip, io_error; err->offset set where a byte offset applies.
 */
#ifndef ETL_INFILE_H
#define ETL_INFILE_H

#include <iconv.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>

#include "err.h"

#define INFILE_CHUNK     (256 * 1024)
#define INFILE_MAX_BYTES ((int64_t)4 << 30)
#define INFILE_MAX_RATIO 200

enum encoding { ENC_UTF8 = 0, ENC_UTF8_BOM, ENC_GB18030, ENC_UTF16LE, ENC_UTF16BE };

struct infile {
	char *path; /* owned copy */
	gzFile gz;
	int compressed; /* 1 for gzip */
	enum encoding enc;
	iconv_t cd;      /* (iconv_t)-1 for UTF-8 */
	char sha256[65]; /* hex of the bytes on disk */
	int64_t disk_bytes;
	int64_t text_bytes; /* decompressed size */
	unsigned char *raw; /* INFILE_CHUNK bytes, pending input for iconv */
	size_t raw_len;
	int eof;
};

const char *encoding_name(enum encoding e);

int infile_open(struct infile *f, const char *path, struct etl_err *err);

/*
 * Read up to cap bytes of decoded UTF-8 into buf.  Returns the byte count,
 * 0 at end of file, -1 on error.  A chunk never ends inside a UTF-8
 * sequence.  cap must be at least 64.
 */
ssize_t infile_read(struct infile *f, char *buf, size_t cap, struct etl_err *err);

void infile_close(struct infile *f);

/*
 * Offset of the first invalid byte of a strict UTF-8 check of buf[0..len),
 * or -1 when valid.  *tail receives how many bytes at the end form an
 * incomplete (possibly valid) sequence that needs the next chunk.
 */
int64_t utf8_first_invalid(const unsigned char *buf, size_t len, size_t *tail);

#endif
