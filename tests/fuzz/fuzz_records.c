/*
 * fuzz_records: the bytes of a submission file, through infile (gzip,
 * encoding detection and decoding) and csvread (records, line numbers,
 * caps), as extract --records reads them.
 *
 * The input is written to a memfd and opened by its /proc/self/fd path, so
 * infile_open() runs unchanged and nothing touches the disk.  Properties
 * checked beyond "no crash, no leak, no hang":
 *   - every decoded chunk fits its buffer, is valid UTF-8, holds no NUL and
 *     does not end inside a character; a file that opened reads to the end;
 *   - every record has 1..CSVREAD_MAX_COLUMNS fields, each valid UTF-8 and
 *     at most CSVREAD_MAX_FIELD bytes; index, line and offset only grow;
 *   - chunking does not matter: read with 256 KiB and with a small buffer,
 *     the records and the error (reason, line, offset) are the same;
 *   - gzip is transparent: the input gzipped gives the same outcome;
 *   - the encoding is transparent: valid UTF-8 input re-encoded as UTF-16LE
 *     (with a BOM) or GB18030 gives the same records and error line;
 *   - a gzip stream cut short is never read as a good file (its reason may
 *     differ: the encoding is sniffed from what comes before the cut).
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "csvread.h"
#include "fuzz.h"
#include "infile.h"
#include "textnorm.h"

struct seen {
	uint64_t hash; /* FNV-1a over every record: fields, lines, offset */
	long records;
	long last_line, last_end;
	int64_t last_offset;
};

struct outcome {
	int opened; /* infile_open succeeded */
	int ok;     /* and every byte was read into records */
	enum encoding enc;
	char delim;
	struct seen s;
	char reason[48];
	long line;
	int64_t offset;
};

static void fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ULL;
}

static int on_record(void *ctx, const struct csv_record *rec)
{
	struct seen *s = ctx;

	FUZZ_ASSERT(rec->nfields >= 1 && rec->nfields <= CSVREAD_MAX_COLUMNS);
	FUZZ_ASSERT(rec->index == s->records + 1);
	FUZZ_ASSERT(rec->line >= 1 && rec->end_line >= rec->line);
	FUZZ_ASSERT(rec->line >= s->last_end); /* CR-only endings: several on one line */
	FUZZ_ASSERT(rec->offset >= s->last_offset);
	for (int i = 0; i < rec->nfields; i++) {
		size_t n = strlen(rec->field[i]);

		FUZZ_ASSERT(n <= CSVREAD_MAX_FIELD);
		FUZZ_ASSERT(text_valid_utf8(rec->field[i], n));
		fnv(&s->hash, rec->field[i], n + 1);
	}
	fnv(&s->hash, &rec->nfields, sizeof(rec->nfields));
	fnv(&s->hash, &rec->line, sizeof(rec->line));
	fnv(&s->hash, &rec->end_line, sizeof(rec->end_line));
	fnv(&s->hash, &rec->offset, sizeof(rec->offset));
	s->records++;
	s->last_line = rec->line;
	s->last_end = rec->end_line;
	s->last_offset = rec->offset;
	return 0;
}

/* extract_main.c's rule: ',' unless the first line has TABs and no commas. */
static char sniff_delim(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	return memchr(buf, '\t', n) && !memchr(buf, ',', n) ? '\t' : ',';
}

/*
 * Read path as extract --records does, with a read buffer of cap bytes.
 * delim 0: sniff it from the first chunk as extract does.
 */
static void run(const char *path, size_t cap, char delim, struct outcome *o)
{
	struct infile f;
	struct etl_err err;
	struct csvread cr;
	char *buf = malloc(cap);
	ssize_t n = 0;
	int started = 0, rc = 0;

	memset(o, 0, sizeof(*o));
	o->s.hash = 0xcbf29ce484222325ULL;
	etl_err_clear(&err);
	if (!buf)
		abort();
	if (infile_open(&f, path, &err) < 0)
		goto done;
	o->opened = 1;
	o->enc = f.enc;
	while ((n = infile_read(&f, buf, cap, &err)) > 0) {
		size_t tail;

		FUZZ_ASSERT((size_t)n <= cap);
		FUZZ_ASSERT(utf8_first_invalid((const unsigned char *)buf, (size_t)n, &tail) < 0);
		FUZZ_ASSERT(tail == 0);
		FUZZ_ASSERT(memchr(buf, 0, (size_t)n) == NULL);
		if (!started) {
			o->delim = delim ? delim : sniff_delim(buf, (size_t)n);
			FUZZ_ASSERT(csvread_init(&cr, o->delim, on_record, &o->s, &err) == 0);
			started = 1;
		}
		rc = csvread_feed(&cr, buf, (size_t)n);
		FUZZ_ASSERT(rc <= 0); /* the callback never stops the parse */
		if (rc < 0)
			break;
	}
	/* Validated at open: reading the decoded text cannot fail. */
	FUZZ_ASSERT(n >= 0);
	if (rc == 0 && started)
		rc = csvread_finish(&cr);
	if (rc == 0) {
		o->ok = 1;
		etl_err_clear(&err);
	}
	if (started)
		csvread_free(&cr);
done:
	if (!o->ok) {
		FUZZ_ASSERT(err.reason[0] != '\0');
		FUZZ_ASSERT(text_valid_utf8(err.message, strlen(err.message)));
	}
	snprintf(o->reason, sizeof(o->reason), "%s", err.reason);
	o->line = err.line;
	o->offset = err.offset;
	infile_close(&f);
	free(buf);
}

/* Print an outcome: what a failed comparison shows before it aborts. */
static void show(const char *what, const struct outcome *o)
{
	fprintf(stderr,
	        "%s: opened %d ok %d enc %s delim %d records %ld hash %016llx reason %s line %ld "
	        "offset %lld\n",
	        what, o->opened, o->ok, encoding_name(o->enc), o->delim, o->s.records,
	        (unsigned long long)o->s.hash, o->reason, o->line, (long long)o->offset);
}

static void same(const struct outcome *a, const struct outcome *b, int check_enc)
{
	if (a->ok != b->ok || strcmp(a->reason, b->reason) || a->line != b->line ||
	    a->offset != b->offset || a->s.hash != b->s.hash || (check_enc && a->enc != b->enc)) {
		show("first ", a);
		show("second", b);
	}
	FUZZ_ASSERT(a->opened == b->opened && a->ok == b->ok);
	FUZZ_ASSERT(strcmp(a->reason, b->reason) == 0);
	FUZZ_ASSERT(a->line == b->line && a->offset == b->offset);
	FUZZ_ASSERT(a->s.records == b->s.records && a->s.hash == b->s.hash);
	if (check_enc)
		FUZZ_ASSERT(a->enc == b->enc);
}

/* A memfd holding data, opened by path like any file. */
struct memfile {
	int fd;
	char path[64];
};

static void memfile_put(struct memfile *m, const char *name, const void *data, size_t size)
{
	if (m->fd <= 0) {
		m->fd = memfd_create(name, MFD_CLOEXEC);
		if (m->fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
	}
	if (ftruncate(m->fd, 0) < 0 || (size && pwrite(m->fd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
}

/* data gzipped at level into a malloc'd buffer; *len receives its size. */
static unsigned char *gzip_bytes(const uint8_t *data, size_t size, int level, size_t *len)
{
	z_stream z;
	unsigned char *out;
	size_t cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&z, size) + 64;
	out = malloc(cap);
	if (!out)
		abort();
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	FUZZ_ASSERT(deflate(&z, Z_FINISH) == Z_STREAM_END);
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

/*
 * data (UTF-8) converted by iconv to `to`, after `prefix`; malloc'd, *len
 * receives its size.  NULL when iconv refuses it.
 */
static unsigned char *convert(const char *to, const char *prefix, const uint8_t *data, size_t size,
                              size_t *len)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t cap = 4 * size + 8, plen = strlen(prefix), inleft = size, oleft;
	unsigned char *out = malloc(cap);
	char *in = (char *)data, *o;

	if (cd == (iconv_t)-1 || !out)
		abort();
	memcpy(out, prefix, plen);
	o = (char *)out + plen;
	oleft = cap - plen;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*len = cap - oleft;
	return out;
}

/* The same text in another encoding: same records, same error and line. */
static void same_text(const struct outcome *a, const struct outcome *b)
{
	struct outcome x = *a, y = *b;

	x.offset = y.offset = 0; /* byte offsets differ with the encoding */
	same(&x, &y, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memfile plain, packed;
	struct outcome big, small, gz;
	size_t gzlen;
	unsigned char *g;

	if (size > (1 << 20))
		return 0;
	memfile_put(&plain, "fuzz-plain", data, size);
	run(plain.path, INFILE_CHUNK, 0, &big);
	run(plain.path, 64 + size % 193, big.delim, &small);
	same(&big, &small, 1);

	if (big.opened && big.enc == ENC_UTF8) {
		static struct memfile other;
		struct outcome enc;
		unsigned char *u;
		size_t ulen;

		if ((u = convert("UTF-16LE", "\xff\xfe", data, size, &ulen))) {
			memfile_put(&other, "fuzz-utf16", u, ulen);
			run(other.path, INFILE_CHUNK, big.delim, &enc);
			FUZZ_ASSERT(enc.opened && enc.enc == ENC_UTF16LE);
			same_text(&big, &enc);
			free(u);
		}
		/* GB18030 bytes that happen to be valid UTF-8 are read as UTF-8. */
		if ((u = convert("GB18030", "", data, size, &ulen))) {
			memfile_put(&other, "fuzz-gb18030", u, ulen);
			run(other.path, INFILE_CHUNK, big.delim, &enc);
			FUZZ_ASSERT(enc.opened);
			if (enc.enc == ENC_GB18030 || (ulen == size && !memcmp(u, data, size)))
				same_text(&big, &enc);
			free(u);
		}
	}

	/* A gzip inside gzip is unwrapped once, not twice: not comparable. */
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 0;
	g = gzip_bytes(data, size, 1 + (int)(size % 9), &gzlen);
	memfile_put(&packed, "fuzz-gzip", g, gzlen);
	run(packed.path, INFILE_CHUNK, big.delim, &gz);
	same(&big, &gz, 1);

	/*
	 * Cut short anywhere after the magic: never a good file.  The reason
	 * may be another (what was read before the cut can already be no
	 * text, and the encoding is sniffed from less), so it is not compared.
	 */
	if (gzlen > 3) {
		size_t cut = 3 + size % (gzlen - 3);

		memfile_put(&packed, "fuzz-gzip", g, cut);
		run(packed.path, INFILE_CHUNK, big.delim, &gz);
		FUZZ_ASSERT(!gz.ok);
	}
	free(g);
	return 0;
}
