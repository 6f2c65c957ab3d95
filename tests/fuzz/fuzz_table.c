/*
 * fuzz_table: table recognition.  The input is decoded text (what infile
 * hands to csvread); its records go through table_init / table_record /
 * table_finish with the wording of config/wording/, exactly as extract_file
 * drives them, into a memory stream.
 *
 * The last byte of the input also chooses the file's circumstances (bit 0:
 * outside the <year>/<dept>/ layout, bit 1: an encoding that needs proof,
 * bit 2: a folder year that disagrees with 2023, bit 3: the department
 * registry knows every name), so the fuzzer reaches every identity check.
 *
 * Properties checked on the stream read back with stream_read():
 *   - F first and once, E last and once, nothing else but R and J between;
 *     F, J and E have their field counts; F's kind, stage and unit are
 *     from their sets, its year is 1990-2100 or none, and none when the
 *     file is refused for its year (normalize would look up its lists);
 *     R has line, a known role, code, name and key=value fields; a row's
 *     code is 3, 5 or 7 digits or empty; amount values are yuan with two
 *     decimals;
 *   - E's row accounting adds up: records == meta + facts + subtotals +
 *     rejected (load stops with exit 70 when it does not);
 *   - a file rejected whole has a J; E records equals the csvread count;
 *   - every field is valid UTF-8 when the input is (PostgreSQL refuses
 *     anything else in COPY).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "fuzz.h"
#include "measure.h"
#include "stream.h"
#include "table.h"
#include "textnorm.h"
#include "wording.h"

static struct wording W;

static const struct wording *wording(void)
{
	static int loaded;
	struct etl_err err;

	if (!loaded) {
		etl_err_clear(&err);
		if (wording_load(&W, fuzz_config_dir(), &err) < 0) {
			fprintf(stderr, "fuzz_table: %s\n", err.message);
			abort();
		}
		loaded = 1;
	}
	return &W;
}

static const char *every_name(void *ctx, const char *name)
{
	(void)ctx;
	return *name ? "109001" : NULL;
}

struct counted {
	struct table *t;
	long records;
};

static int on_record(void *ctx, const struct csv_record *rec)
{
	struct counted *c = ctx;

	c->records++;
	return table_record(c->t, rec);
}

static char sniff_delim(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	return memchr(buf, '\t', n) && !memchr(buf, ',', n) ? '\t' : ',';
}

/* "-123.45": what amount_format writes. */
static int is_yuan(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	return n > 0 && s[n] == '.' && strspn(s + n + 1, "0123456789") == 2 && s[n + 3] == '\0';
}

/* An amount key of the vocabulary (measure.def); a key it lacks counts as one. */
static int is_amount_key(const char *k, size_t n)
{
	const struct measure_info *m = measure_findn(k, n);

	return !m || m->cls == MEASURE_AMOUNT;
}

static int one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	FUZZ_ASSERT(*s && *end == '\0' && v >= 0);
	return v;
}

/* Read the stream back and check its shape and accounting. */
static void check_stream(char *text, size_t len, int utf8_in, long csv_records)
{
	FILE *in = fmemopen(text, len, "r");
	struct stream_reader r;
	struct stream_rec rec;
	struct etl_err err;
	int n = 0, f = 0, e = 0, j = 0, rc;
	long year = 0;

	FUZZ_ASSERT(in != NULL);
	FUZZ_ASSERT(len > 0 && text[len - 1] == '\n' && memchr(text, 0, len) == NULL);
	stream_reader_init(&r, in);
	etl_err_clear(&err);
	while ((rc = stream_read(&r, &rec, &err)) == 1) {
		n++;
		FUZZ_ASSERT(e == 0); /* nothing after E */
		for (int i = 0; utf8_in && i < rec.nfields; i++) {
			if (!text_valid_utf8(rec.field[i], strlen(rec.field[i])))
				fprintf(stderr, "%c record, field %d: \"%s\"\n", rec.tag, i,
				        rec.field[i]);
			FUZZ_ASSERT(text_valid_utf8(rec.field[i], strlen(rec.field[i])));
		}
		switch (rec.tag) {
		case 'F': {
			static const char *const stages[] = {"budget", "adjusted", "final", NULL};
			static const char *const units[] = {"", "yuan", "wan", NULL};
			static const char *const scopes[] = {"department", "unit", NULL};

			FUZZ_ASSERT(n == 1 && rec.nfields == F_NFIELDS);
			FUZZ_ASSERT(num(rec.field[F_KIND]) <= 10);
			FUZZ_ASSERT(one_of(rec.field[F_STAGE], stages));
			FUZZ_ASSERT(one_of(rec.field[F_UNIT], units));
			FUZZ_ASSERT(one_of(rec.field[F_SCOPE], scopes));
			/* A fiscal year, or none (normalize needs its lists). */
			year = rec.field[F_YEAR][0] ? num(rec.field[F_YEAR]) : 0;
			FUZZ_ASSERT(year == 0 || (year >= 1990 && year <= 2100));
			f++;
			break;
		}
		case 'J':
			FUZZ_ASSERT(f == 1 && rec.nfields == J_NFIELDS);
			num(rec.field[J_LINE]);
			FUZZ_ASSERT(rec.field[J_REASON][0] != '\0');
			/* A file refused for its year names none in F. */
			if (!strcmp(rec.field[J_REASON], "year_mismatch") ||
			    !strcmp(rec.field[J_REASON], "bad_year"))
				FUZZ_ASSERT(year == 0);
			j++;
			break;
		case 'R': {
			static const char *const roles[] = {
			    "row",          "total",   "income",    "expense",
			    "three_public", "project", "indicator", NULL};
			size_t cl = strlen(rec.field[R_CODE]);

			FUZZ_ASSERT(f == 1 && rec.nfields >= R_KV);
			num(rec.field[R_LINE]);
			FUZZ_ASSERT(one_of(rec.field[R_ROLE], roles));
			if (!strcmp(rec.field[R_ROLE], "row") ||
			    !strcmp(rec.field[R_ROLE], "total"))
				FUZZ_ASSERT((cl == 0 || cl == 3 || cl == 5 || cl == 7) &&
				            strspn(rec.field[R_CODE], "0123456789") == cl);
			for (int i = R_KV; i < rec.nfields; i++) {
				const char *eq = strchr(rec.field[i], '=');

				if (!eq || eq == rec.field[i])
					fprintf(stderr, "R field %d \"%s\" of:\n%.*s\n", i, rec.field[i],
					        (int)len, text);
				FUZZ_ASSERT(eq && eq > rec.field[i]);
				/* a figure in yuan, or empty for a blank cell */
				if (is_amount_key(rec.field[i], (size_t)(eq - rec.field[i])))
					FUZZ_ASSERT(eq[1] == '\0' || is_yuan(eq + 1));
			}
			break;
		}
		case 'E': {
			long records, meta, facts, sub, rejected;

			FUZZ_ASSERT(f == 1 && rec.nfields == E_NFIELDS);
			records = num(rec.field[E_RECORDS]);
			meta = num(rec.field[E_META]);
			facts = num(rec.field[E_FACTS]);
			sub = num(rec.field[E_SUBTOTALS]);
			rejected = num(rec.field[E_REJECTED]);
			FUZZ_ASSERT(records == meta + facts + sub + rejected);
			FUZZ_ASSERT(records == csv_records);
			FUZZ_ASSERT(strcmp(rec.field[E_STATUS], "ok") == 0 ||
			            strcmp(rec.field[E_STATUS], "rejected") == 0 ||
			            strcmp(rec.field[E_STATUS], "skipped") == 0);
			if (strcmp(rec.field[E_STATUS], "rejected") == 0)
				FUZZ_ASSERT(j > 0 && facts == 0);
			/* a table recognised and not loaded yields nothing */
			if (strcmp(rec.field[E_STATUS], "skipped") == 0)
				FUZZ_ASSERT(j == 0 && facts == 0);
			/* half a unit of the printed precision: 0, 0.5 yuan, 50 yuan ... */
			FUZZ_ASSERT(num(rec.field[E_HALF_UNIT]) >= 0);
			e++;
			break;
		}
		default: FUZZ_ASSERT(!"unexpected tag");
		}
	}
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(f == 1 && e == 1);
	stream_reader_free(&r);
	fclose(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wording *w = wording();
	unsigned flags = size ? data[size - 1] : 0;
	struct file_info fi;
	struct table t;
	struct csvread cr;
	struct etl_err err;
	struct counted c;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;
	int rc = 0;

	if (size > (1 << 20))
		return 0;
	/* infile's guarantee: no NUL reaches csvread. */
	if (memchr(data, 0, size))
		return 0;
	memset(&fi, 0, sizeof(fi));
	fi.path = flags & 1 ? "/fuzz/table.csv" : "/fuzz/2023/109001/table.csv";
	fi.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	fi.bytes = (long long)size;
	fi.encoding = flags & 2 ? "gb18030" : "utf-8";
	fi.compression = "none";
	fi.encoding_needs_proof = (flags & 2) != 0;
	if (!(flags & 1)) {
		fi.folder_year = flags & 4 ? 2022 : 2023;
		snprintf(fi.folder_dept, sizeof(fi.folder_dept), "109001");
	}
	fp = open_memstream(&out, &outlen);
	FUZZ_ASSERT(fp != NULL);
	etl_err_clear(&err);
	table_init(&t, w, fp, &fi, flags & 8 ? every_name : NULL, NULL);
	c.t = &t;
	c.records = 0;
	/* extract_file: an empty decoded text is never fed to csvread. */
	if (size > 0) {
		FUZZ_ASSERT(csvread_init(&cr, sniff_delim((const char *)data, size), on_record, &c,
		                         &err) == 0);
		rc = csvread_feed(&cr, (const char *)data, size);
		if ((rc == 0 && csvread_finish(&cr) < 0) || rc < 0)
			table_reject_file(&t, &err);
		csvread_free(&cr);
	}
	table_finish(&t);
	table_free(&t);
	fclose(fp);
	check_stream(out, outlen, text_valid_utf8((const char *)data, size), c.records);
	free(out);
	return 0;
}
