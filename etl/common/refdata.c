/*
 * refdata: the classification lists of config/classifications/ in memory.
 *
 * Loading happens in one pass per file through csvread (libcsv); every code
 * keeps the file and line it came from until its list is finished (sorted,
 * checked, local additions merged), so that a bad line is reported where it
 * is.  After refdata_load() nothing refers to a file any more: struct
 * refdata owns its arrays and names, lookups are binary searches.
 */
#include "refdata.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "textnorm.h"

#define RD_FILE_MAX (64L << 20) /* largest configuration file read */
#define RD_PATH     4096
#define RD_CELL     1024 /* bytes of one trimmed cell, NUL included */
#define RD_MAX_COLS 8
#define RD_KEY      1024 /* text_key() buffer */

static const char *const scheme_name[SCHEME_COUNT] = {"function", "econ_dept", "econ_gov"};

/* Where a code was read: file (owned by the loader's file table) and line. */
struct origin {
	const char *file;
	long line;
	bool local;
};

/* A code while its list is being built. */
struct bcode {
	struct ref_code rc;
	struct origin at;
};

/* A list while it is being built: codes unsorted, with their origins. */
struct blist {
	int year;
	enum scheme scheme;
	bool complete;
	struct bcode *v;
	size_t n, cap;
};

/* State of one refdata_load() call. */
struct loader {
	const char *dir;
	struct refdata *rd;
	bool validate_only; /* function and econ_dept lists, old names: what normalize needs */
	int only_year;      /* the lists of this year only (a lazy load), 0: every year */
	struct blist *lists;
	size_t nlists, caplists;
	char **files; /* every path an origin may name */
	size_t nfiles, capfiles;
	size_t capxwalk, capchanges, capcofog, capold; /* capacities of rd's arrays */
	struct etl_err *err;
};

/* One CSV file being read: its expected header and the per-row handler. */
struct csvfile {
	struct loader *ld;
	const char *path;
	const char *const *header;
	int ncols;
	int (*row)(struct csvfile *f, char **cell, long line);
	void *ctx;
	long records;
	int failed;
	char cell[RD_MAX_COLS][RD_CELL];
};

/* ------------------------------------------------------------------ helpers */

/* Grow *p (elements of size elem, capacity *cap) to hold need; 0 or -1. */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static int oom(struct loader *ld)
{
	return etl_fail(ld->err, "out_of_memory", 0, NULL, "out of memory reading %s", ld->dir);
}

/* Level of a code of scheme s from its length, 0 when the length is wrong. */
static int level_of(enum scheme s, const char *code)
{
	size_t len = strlen(code);

	if (!text_all_digits(code))
		return 0;
	if (len == 3)
		return 1;
	if (len == 5)
		return 2;
	if (len == 7 && s == SCHEME_FUNCTION)
		return 3;
	return 0;
}

/* A fiscal year written as four digits, or -1. */
static int parse_year(const char *s)
{
	if (strlen(s) != 4 || !text_all_digits(s))
		return -1;
	return atoi(s);
}

/* The scheme named s ("function", "econ_dept", "econ_gov"), or -1. */
static int parse_scheme(const char *s)
{
	for (int i = 0; i < SCHEME_COUNT; i++)
		if (strcmp(s, scheme_name[i]) == 0)
			return i;
	return -1;
}

/* Keep a copy of path for origins to point at; returns it, or NULL. */
static const char *keep_path(struct loader *ld, const char *path)
{
	char *copy;

	if (grow((void **)&ld->files, &ld->capfiles, ld->nfiles + 1, sizeof(char *)) < 0 ||
	    !(copy = strdup(path)))
		return NULL;
	ld->files[ld->nfiles++] = copy;
	return copy;
}

/*
 * Read a whole file into a fresh NUL-terminated buffer (*data, caller frees).
 * Returns 1 when read, 0 when the file does not exist, -1 on error.
 */
static int slurp(struct loader *ld, const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;

	*data = NULL;
	if (!f)
		return errno == ENOENT ? 0
		                       : etl_fail(ld->err, "bad_config", 0, NULL,
		                                  "%s: cannot open: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > RD_FILE_MAX ||
	    fseek(f, 0, SEEK_SET) != 0 || !(*data = malloc((size_t)size + 1)) ||
	    fread(*data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(*data);
		*data = NULL;
		return etl_fail(ld->err, "bad_config", 0, NULL,
		                "%s: cannot read (or larger than %ld MB)", path, RD_FILE_MAX >> 20);
	}
	fclose(f);
	(*data)[size] = '\0';
	*len = (size_t)size;
	return 1;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ------------------------------------------------------------- CSV reading */

/*
 * Trim every cell of rec into f->cell, missing ones as ""; cells past
 * f->ncols must be empty (Excel's trailing ",,,").  Returns 0 or -1.
 */
static int take_cells(struct csvfile *f, const struct csv_record *rec)
{
	for (int i = rec->nfields; i < f->ncols; i++)
		f->cell[i][0] = '\0';
	for (int i = 0; i < rec->nfields; i++) {
		char *dst = i < f->ncols ? f->cell[i] : f->cell[RD_MAX_COLS - 1];

		if (strlen(rec->field[i]) >= RD_CELL)
			return etl_fail(f->ld->err, "bad_config", rec->line, NULL,
			                "%s:%ld: cell %d is longer than %d bytes", f->path,
			                rec->line, i + 1, RD_CELL - 1);
		text_trim(rec->field[i], dst, RD_CELL, NULL);
		if (i >= f->ncols && dst[0])
			return etl_fail(f->ld->err, "bad_config", rec->line, NULL,
			                "%s:%ld: %d cells, expected %d", f->path, rec->line,
			                rec->nfields, f->ncols);
	}
	return 0;
}

/* The header record must name f->header in order; returns 0 or -1. */
static int check_header(struct csvfile *f, long line)
{
	char want[RD_CELL] = "";
	int i = 0;

	while (i < f->ncols && strcmp(f->cell[i], f->header[i]) == 0)
		i++;
	if (i == f->ncols)
		return 0;
	for (i = 0; i < f->ncols; i++) {
		strncat(want, i ? "," : "", sizeof(want) - strlen(want) - 1);
		strncat(want, f->header[i], sizeof(want) - strlen(want) - 1);
	}
	return etl_fail(f->ld->err, "bad_config", line, NULL, "%s:%ld: header must be %s", f->path,
	                line, want);
}

/* csvread callback: skip blank and '#' records, check the header, then rows. */
static int on_csv_record(void *ctx, const struct csv_record *rec)
{
	struct csvfile *f = ctx;
	char *cells[RD_MAX_COLS];

	if (rec->nfields == 0 || (rec->nfields == 1 && !rec->field[0][0]) ||
	    rec->field[0][0] == '#')
		return 0;
	if (take_cells(f, rec) < 0)
		goto fail;
	if (++f->records == 1) {
		if (check_header(f, rec->line) < 0)
			goto fail;
		return 0;
	}
	if (rec->nfields < f->ncols) {
		etl_fail(f->ld->err, "bad_config", rec->line, NULL, "%s:%ld: %d cells, expected %d",
		         f->path, rec->line, rec->nfields, f->ncols);
		goto fail;
	}
	for (int i = 0; i < f->ncols; i++)
		cells[i] = f->cell[i];
	if (f->row(f, cells, rec->line) < 0)
		goto fail;
	return 0;
fail:
	f->failed = 1;
	return 1;
}

/* Prefix a csvread error (which names no file) with the path; returns -1. */
static int name_csv_error(struct csvfile *f)
{
	struct etl_err *e = f->ld->err;
	char msg[ETL_ERR_MSG];

	if (strcmp(e->reason, "bad_config") == 0 || strcmp(e->reason, "out_of_memory") == 0)
		return -1;
	snprintf(msg, sizeof(msg), "%.200s:%ld: %.280s", f->path, e->line, e->message);
	return etl_fail(e, "bad_config", e->line, NULL, "%s", msg);
}

/*
 * Read the CSV file at path: header f->header, each data row to f->row.
 * Returns 1 when read, 0 when the file does not exist, -1 on error.
 */
static int read_csv(struct csvfile *f, const char *path)
{
	struct csvread r;
	char *data;
	const char *text;
	size_t len;
	int rc = slurp(f->ld, path, &data, &len);

	if (rc <= 0)
		return rc;
	f->path = path;
	text = data;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (!text_valid_utf8(text, len)) {
		free(data);
		return etl_fail(f->ld->err, "bad_config", 0, NULL,
		                "%s: not UTF-8 (convert it, e.g. iconv -f GB18030 -t UTF-8)", path);
	}
	if (csvread_init(&r, ',', on_csv_record, f, f->ld->err) < 0) {
		free(data);
		return -1;
	}
	rc = csvread_feed(&r, text, len);
	if (rc == 0)
		rc = csvread_finish(&r);
	csvread_free(&r);
	free(data);
	if (rc < 0 && !f->failed)
		return name_csv_error(f);
	if (rc != 0)
		return -1;
	if (f->records == 0)
		return etl_fail(f->ld->err, "bad_config", 1, NULL, "%s: no header line", path);
	return 1;
}

/* ------------------------------------------------------------- meta files */

/* Trim ASCII white space in place; returns s. */
static char *trim_ascii(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/*
 * One line of a .meta file: "key = value", blank, or a '#'/';' comment.
 * Sets *complete from the key "complete" (true/false); other keys are
 * documentation.  Returns 0 or -1.
 */
static int meta_line(struct loader *ld, const char *path, long no, char *line, int *complete)
{
	char *eq, *key, *val;

	line = trim_ascii(line);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	if (!(eq = strchr(line, '=')))
		return etl_fail(ld->err, "bad_config", no, NULL, "%s:%ld: expected key = value",
		                path, no);
	*eq = '\0';
	key = trim_ascii(line);
	val = trim_ascii(eq + 1);
	if (!*key)
		return etl_fail(ld->err, "bad_config", no, NULL, "%s:%ld: empty key", path, no);
	if (strcmp(key, "complete") != 0)
		return 0;
	if (*complete >= 0)
		return etl_fail(ld->err, "bad_config", no, NULL, "%s:%ld: complete given twice",
		                path, no);
	if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0)
		return etl_fail(ld->err, "bad_config", no, "complete",
		                "%s:%ld: complete must be true or false, not \"%.64s\"", path, no,
		                val);
	*complete = strcmp(val, "true") == 0;
	return 0;
}

/*
 * Read the sidecar <csv>.meta into *complete: true only when it says
 * "complete = true"; a missing sidecar or key means false.  0 or -1.
 */
static int read_meta(struct loader *ld, const char *csv, bool *complete)
{
	char path[RD_PATH], *data, *line, *next;
	size_t len;
	long no = 0;
	int rc, value = -1;

	*complete = false;
	snprintf(path, sizeof(path), "%s.meta", csv);
	rc = slurp(ld, path, &data, &len);
	if (rc <= 0)
		return rc;
	for (line = data; line && rc >= 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		rc = meta_line(ld, path, no, line, &value);
	}
	free(data);
	*complete = value == 1;
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ code lists */

static struct blist *add_blist(struct loader *ld, int year, enum scheme s)
{
	struct blist *l;

	if (grow((void **)&ld->lists, &ld->caplists, ld->nlists + 1, sizeof(*ld->lists)) < 0)
		return NULL;
	l = &ld->lists[ld->nlists++];
	memset(l, 0, sizeof(*l));
	l->year = year;
	l->scheme = s;
	return l;
}

/*
 * Check one code row (code, name, level, parent) of scheme s read at
 * path:line: digits of a valid length, level matching the length, parent the
 * code's own prefix (empty for a 类), a name.  Returns 0 or -1.
 */
static int check_code_row(struct loader *ld, enum scheme s, const char *path, long line, char **c)
{
	int lv = level_of(s, c[0]);
	size_t len = strlen(c[0]);

	if (!lv)
		return etl_fail(ld->err, "bad_config", line, "code",
		                "%s:%ld: \"%.32s\" is not a %s code (3, 5%s digits)", path, line,
		                c[0], scheme_name[s], s == SCHEME_FUNCTION ? " or 7" : "");
	if (!c[1][0])
		return etl_fail(ld->err, "bad_config", line, "name", "%s:%ld: code %s has no name",
		                path, line, c[0]);
	if (strlen(c[2]) != 1 || c[2][0] - '0' != lv)
		return etl_fail(
		    ld->err, "bad_config", line, "level",
		    "%s:%ld: level \"%.16s\" does not fit code %s (%zu digits: level %d)", path,
		    line, c[2], c[0], len, lv);
	if (lv == 1 ? c[3][0] != '\0'
	            : strlen(c[3]) != len - 2 || strncmp(c[3], c[0], len - 2) != 0)
		return etl_fail(ld->err, "bad_config", line, "parent_code",
		                "%s:%ld: parent_code \"%.32s\" does not fit code %s (expected "
		                "\"%.*s\")",
		                path, line, c[3], c[0], lv == 1 ? 0 : (int)(len - 2), c[0]);
	return 0;
}

/* Append a checked row to l; the name is copied.  Returns 0 or -1. */
static int add_code(struct loader *ld, struct blist *l, char **c, struct origin at)
{
	struct bcode *b;

	if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0)
		return oom(ld);
	b = &l->v[l->n];
	memset(b, 0, sizeof(*b));
	snprintf(b->rc.code, sizeof(b->rc.code), "%s", c[0]);
	snprintf(b->rc.parent, sizeof(b->rc.parent), "%s", c[3]);
	b->rc.level = c[2][0] - '0';
	if (!(b->rc.name = strdup(c[1])))
		return oom(ld);
	b->at = at;
	l->n++;
	return 0;
}

static const char *const code_header[] = {"code", "name", "level", "parent_code"};

/* Row handler of <year>/<scheme>.csv: ctx is the blist. */
static int code_row(struct csvfile *f, char **c, long line)
{
	struct blist *l = f->ctx;
	struct origin at = {f->path, line, false};

	if (check_code_row(f->ld, l->scheme, f->path, line, c) < 0)
		return -1;
	return add_code(f->ld, l, c, at);
}

/* Read dir/<year>/<scheme>.csv and its sidecar, if present.  0 or -1. */
static int load_list(struct loader *ld, int year, enum scheme s)
{
	char path[RD_PATH];
	struct csvfile *f;
	struct blist *l;
	const char *kept;
	int rc;

	snprintf(path, sizeof(path), "%s/%d/%s.csv", ld->dir, year, scheme_name[s]);
	if (access(path, F_OK) != 0)
		return 0;
	if (!(kept = keep_path(ld, path)) || !(l = add_blist(ld, year, s)) ||
	    !(f = calloc(1, sizeof(*f))))
		return oom(ld);
	*f = (struct csvfile){
	    .ld = ld, .header = code_header, .ncols = 4, .row = code_row, .ctx = l};
	rc = read_csv(f, kept);
	free(f);
	if (rc < 0)
		return -1;
	return read_meta(ld, kept, &l->complete);
}

/* Two adjacent codes are the same entry (a local line repeating a listed one). */
static bool same_entry(const struct bcode *a, const struct bcode *b)
{
	char ka[RD_KEY], kb[RD_KEY];

	if (a->rc.level != b->rc.level || strcmp(a->rc.parent, b->rc.parent) != 0)
		return false;
	text_key(a->rc.name, ka, sizeof(ka));
	text_key(b->rc.name, kb, sizeof(kb));
	return strcmp(ka, kb) == 0;
}

static int cmp_bcode(const void *a, const void *b)
{
	const struct bcode *x = a, *y = b;
	int c = strcmp(x->rc.code, y->rc.code);

	if (c)
		return c;
	return (int)x->at.local - (int)y->at.local; /* listed before local */
}

/*
 * Drop duplicates of a sorted list: a local line that repeats a listed code
 * (same level, parent and name) is dropped; any other duplicate is an error
 * naming both places.  Checks everything before dropping anything, so on
 * error l is unchanged.  Returns 0 or -1.
 */
static int dedupe(struct loader *ld, struct blist *l)
{
	size_t out = 0, keep = 0;

	for (size_t i = 1; i < l->n; i++) {
		struct bcode *k = &l->v[keep], *b = &l->v[i];

		if (strcmp(k->rc.code, b->rc.code) != 0) {
			keep = i;
			continue;
		}
		if (!b->at.local || !same_entry(k, b))
			return etl_fail(ld->err, "bad_config", b->at.line, "code",
			                "%s:%ld: code %s is listed twice for %d (also at %s:%ld)",
			                b->at.file, b->at.line, b->rc.code, l->year, k->at.file,
			                k->at.line);
		b->at.line = -1; /* to drop */
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].at.line == -1) {
			free(l->v[i].rc.name);
			continue;
		}
		l->v[out++] = l->v[i];
	}
	l->n = out;
	return 0;
}

static int cmp_code_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct bcode *)elem)->rc.code);
}

/* Every 款 and 项 of a sorted, deduplicated list has its parent.  0 or -1. */
static int check_parents(struct loader *ld, const struct blist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct bcode *b = &l->v[i];

		if (b->rc.level > 1 &&
		    !bsearch(b->rc.parent, l->v, l->n, sizeof(*l->v), cmp_code_key))
			return etl_fail(ld->err, "bad_config", b->at.line, "parent_code",
			                "%s:%ld: parent %s of code %s is not in the %d %s list",
			                b->at.file, b->at.line, b->rc.parent, b->rc.code, l->year,
			                scheme_name[l->scheme]);
	}
	return 0;
}

/*
 * Finish a built list into out: sort, drop duplicate local lines, check the
 * tree; out then owns the names.  Returns 0 or -1 (names stay with l).
 */
static int finish_list(struct loader *ld, struct blist *l, struct ref_list *out)
{
	qsort(l->v, l->n, sizeof(*l->v), cmp_bcode);
	if (dedupe(ld, l) < 0 || check_parents(ld, l) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->year = l->year;
	out->scheme = l->scheme;
	out->complete = l->complete;
	if (l->n && !(out->codes = calloc(l->n, sizeof(*out->codes))))
		return oom(ld);
	for (size_t i = 0; i < l->n; i++)
		out->codes[i] = l->v[i].rc;
	out->n = l->n;
	l->n = 0; /* names now belong to out */
	/* each name folded once, and the 类 apart, for the lookups by name */
	if (out->n && !(out->classes = malloc(out->n * sizeof(*out->classes))))
		return oom(ld);
	for (size_t i = 0; i < out->n; i++) {
		char key[RD_KEY];

		if (!(out->codes[i].key = strdup(text_key(out->codes[i].name, key, sizeof(key)))))
			return oom(ld);
		if (out->codes[i].level == 1)
			out->classes[out->nclasses++] = i;
	}
	return 0;
}

/* ----------------------------------------------------------- local files */

static const char *const local_header[] = {"scheme", "fiscal_year", "code",
                                           "name",   "level",       "parent_code"};

/* Add one local row to every list it names (one year, or all of a scheme). */
static int local_row(struct csvfile *f, char **c, long line)
{
	struct loader *ld = f->ld;
	struct origin at = {f->path, line, true};
	int s = parse_scheme(c[0]), year = c[1][0] ? parse_year(c[1]) : 0, added = 0;

	if (s < 0)
		return etl_fail(ld->err, "bad_config", line, "scheme",
		                "%s:%ld: scheme must be function, econ_dept or econ_gov, not "
		                "\"%.32s\"",
		                f->path, line, c[0]);
	if (year < 0)
		return etl_fail(ld->err, "bad_config", line, "fiscal_year",
		                "%s:%ld: fiscal_year \"%.16s\" is not a year (empty = every year)",
		                f->path, line, c[1]);
	if (check_code_row(ld, (enum scheme)s, f->path, line, c + 2) < 0)
		return -1;
	if (ld->only_year &&
	    (year ? year != ld->only_year : !ld->nlists)) /* a lazy load of another year's lists */
		return 0;
	for (size_t i = 0; i < ld->nlists; i++) {
		struct blist *l = &ld->lists[i];

		if (l->scheme != (enum scheme)s || (year && l->year != year))
			continue;
		if (add_code(ld, l, c + 2, at) < 0)
			return -1;
		added++;
	}
	if (!added && ld->only_year)
		return 0; /* no list of that scheme this year: refsync's full load names it */
	if (!added)
		return etl_fail(ld->err, "bad_config", line, "fiscal_year",
		                "%s:%ld: no %s list for %s to add code %s to", f->path, line,
		                scheme_name[s], year ? c[1] : "any year", c[2]);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the *.csv files of dir, sorted (caller frees each and the array). */
static int list_csv(struct loader *ld, const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		if (grow((void **)names, &cap, *n + 1, sizeof(char *)) < 0 ||
		    !((*names)[*n] = strdup(e->d_name))) {
			closedir(d);
			return oom(ld);
		}
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_str);
	return 0;
}

/* Merge dir/local/<name>.csv into the built lists, in file-name order.  0 or -1. */
static int load_local(struct loader *ld)
{
	char dir[RD_PATH], path[2 * RD_PATH];
	char **names;
	size_t n;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/local", ld->dir);
	if (list_csv(ld, dir, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct csvfile *f = calloc(1, sizeof(*f));
		const char *kept;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!f || !(kept = keep_path(ld, path))) {
			free(f);
			rc = oom(ld);
			break;
		}
		*f = (struct csvfile){
		    .ld = ld, .header = local_header, .ncols = 6, .row = local_row};
		rc = read_csv(f, kept) < 0 ? -1 : 0;
		free(f);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* -------------------------------------------------------------- crosswalk */

static const char *const xwalk_header[] = {"unit_type", "dept_code", "gov_code"};

static int cmp_xwalk(const void *a, const void *b)
{
	const struct crosswalk_entry *x = a, *y = b;
	int c;

	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if ((c = strcmp(x->unit_type, y->unit_type)))
		return c;
	return strcmp(x->dept_code, y->dept_code);
}

/* A 款 (level 2 code) of the finished list for year and s, or NULL. */
static const struct ref_code *find_kuan(const struct refdata *rd, int year, enum scheme s,
                                        const char *code)
{
	const struct ref_code *c = ref_find(refdata_list(rd, year, s), code);

	return c && c->level == 2 ? c : NULL;
}

/* Row handler of <year>/econ_crosswalk.csv: ctx points at the year. */
static int xwalk_row(struct csvfile *f, char **c, long line)
{
	struct loader *ld = f->ld;
	struct refdata *rd = ld->rd;
	int year = *(int *)f->ctx;
	struct crosswalk_entry *x;

	if (!c[0][0] || strlen(c[0]) >= sizeof(x->unit_type))
		return etl_fail(ld->err, "bad_config", line, "unit_type",
		                "%s:%ld: unit_type is empty or too long", f->path, line);
	if (!find_kuan(rd, year, SCHEME_ECON_DEPT, c[1]))
		return etl_fail(ld->err, "bad_config", line, "dept_code",
		                "%s:%ld: dept_code \"%.16s\" is not a 款 of the %d econ_dept list",
		                f->path, line, c[1], year);
	if (!find_kuan(rd, year, SCHEME_ECON_GOV, c[2]))
		return etl_fail(ld->err, "bad_config", line, "gov_code",
		                "%s:%ld: gov_code \"%.16s\" is not a 款 of the %d econ_gov list",
		                f->path, line, c[2], year);
	for (size_t i = 0; i < rd->ncrosswalk; i++)
		if (rd->crosswalk[i].year == year &&
		    strcmp(rd->crosswalk[i].unit_type, c[0]) == 0 &&
		    strcmp(rd->crosswalk[i].dept_code, c[1]) == 0)
			return etl_fail(ld->err, "bad_config", line, "dept_code",
			                "%s:%ld: %s %s is mapped twice", f->path, line, c[0], c[1]);
	if (grow((void **)&rd->crosswalk, &ld->capxwalk, rd->ncrosswalk + 1, sizeof(*x)) < 0)
		return oom(ld);
	x = &rd->crosswalk[rd->ncrosswalk++];
	memset(x, 0, sizeof(*x));
	x->year = year;
	snprintf(x->unit_type, sizeof(x->unit_type), "%s", c[0]);
	snprintf(x->dept_code, sizeof(x->dept_code), "%s", c[1]);
	snprintf(x->gov_code, sizeof(x->gov_code), "%s", c[2]);
	return 0;
}

/* Read dir/<year>/econ_crosswalk.csv if present (lists already finished). */
static int load_crosswalk(struct loader *ld, int year)
{
	char path[RD_PATH];
	struct csvfile *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%d/econ_crosswalk.csv", ld->dir, year);
	if (access(path, F_OK) != 0)
		return 0;
	if (!refdata_list(ld->rd, year, SCHEME_ECON_DEPT) ||
	    !refdata_list(ld->rd, year, SCHEME_ECON_GOV))
		return etl_fail(ld->err, "bad_config", 0, NULL,
		                "%s: needs econ_dept.csv and econ_gov.csv beside it", path);
	if (!(f = calloc(1, sizeof(*f))))
		return oom(ld);
	*f = (struct csvfile){
	    .ld = ld, .header = xwalk_header, .ncols = 3, .row = xwalk_row, .ctx = &year};
	rc = read_csv(f, path);
	free(f);
	return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- changes */

static const char *const change_header[] = {"scheme",  "from_year", "from_code", "to_year",
                                            "to_code", "change",    "note"};
static const char *const change_kinds[] = {"renamed", "moved", "split", "merged", "retired"};

static bool valid_change(const char *s)
{
	for (size_t i = 0; i < sizeof(change_kinds) / sizeof(*change_kinds); i++)
		if (strcmp(s, change_kinds[i]) == 0)
			return true;
	return false;
}

/*
 * Check a change's codes against the lists that are configured: from_code in
 * from_year's list; to_code in to_year's (a retired code: absent there).
 */
static int check_change_codes(struct csvfile *f, long line, enum scheme s, int fy, int ty, char **c)
{
	const struct ref_list *from = refdata_list(f->ld->rd, fy, s);
	const struct ref_list *to = refdata_list(f->ld->rd, ty, s);
	bool retired = strcmp(c[5], "retired") == 0;

	if (from && !ref_find(from, c[2]))
		return etl_fail(f->ld->err, "bad_config", line, "from_code",
		                "%s:%ld: %s is not in the %d %s list", f->path, line, c[2], fy,
		                scheme_name[s]);
	if (to && !retired && !ref_find(to, c[4]))
		return etl_fail(f->ld->err, "bad_config", line, "to_code",
		                "%s:%ld: %s is not in the %d %s list", f->path, line, c[4], ty,
		                scheme_name[s]);
	if (to && retired && ref_find(to, c[2]))
		return etl_fail(f->ld->err, "bad_config", line, "from_code",
		                "%s:%ld: retired code %s is still in the %d %s list", f->path, line,
		                c[2], ty, scheme_name[s]);
	return 0;
}

/* Row handler of changes.csv. */
static int change_row(struct csvfile *f, char **c, long line)
{
	struct loader *ld = f->ld;
	struct refdata *rd = ld->rd;
	int s = parse_scheme(c[0]), fy = parse_year(c[1]), ty = parse_year(c[3]);
	bool retired = strcmp(c[5], "retired") == 0;
	struct code_change *x;

	if (s < 0 || fy < 0 || ty < 0 || ty <= fy || !valid_change(c[5]))
		return etl_fail(
		    ld->err, "bad_config", line, NULL,
		    "%s:%ld: expected scheme (function|econ_dept|econ_gov), from_year < "
		    "to_year, change (renamed|moved|split|merged|retired)",
		    f->path, line);
	if (!level_of((enum scheme)s, c[2]) ||
	    (retired ? c[4][0] != '\0' : !level_of((enum scheme)s, c[4])))
		return etl_fail(ld->err, "bad_config", line, "to_code",
		                "%s:%ld: codes must be %s codes (to_code empty only when retired)",
		                f->path, line, scheme_name[s]);
	if (check_change_codes(f, line, (enum scheme)s, fy, ty, c) < 0)
		return -1;
	if (grow((void **)&rd->changes, &ld->capchanges, rd->nchanges + 1, sizeof(*x)) < 0)
		return oom(ld);
	x = &rd->changes[rd->nchanges];
	memset(x, 0, sizeof(*x));
	x->scheme = (enum scheme)s;
	x->from_year = fy;
	x->to_year = ty;
	snprintf(x->from_code, sizeof(x->from_code), "%s", c[2]);
	snprintf(x->to_code, sizeof(x->to_code), "%s", c[4]);
	snprintf(x->change, sizeof(x->change), "%s", c[5]);
	if (!(x->note = strdup(c[6])))
		return oom(ld);
	rd->nchanges++;
	return 0;
}

/* ------------------------------------------------------------------ cofog */

static const char *const cofog_header[] = {"class_code", "cofog_division", "cofog_name", "basis"};

/* Row handler of cofog.csv: division empty (no COFOG division) or 01..10. */
static int cofog_row(struct csvfile *f, char **c, long line)
{
	struct loader *ld = f->ld;
	struct refdata *rd = ld->rd;
	struct cofog_entry *x;
	int div = atoi(c[1]);

	if (level_of(SCHEME_FUNCTION, c[0]) != 1)
		return etl_fail(ld->err, "bad_config", line, "class_code",
		                "%s:%ld: class_code \"%.16s\" is not a 类 code", f->path, line,
		                c[0]);
	if (c[1][0] &&
	    (strlen(c[1]) != 2 || !text_all_digits(c[1]) || div < 1 || div > 10 || !c[2][0]))
		return etl_fail(ld->err, "bad_config", line, "cofog_division",
		                "%s:%ld: cofog_division must be 01..10 with a name, or empty",
		                f->path, line);
	for (size_t i = 0; i < rd->ncofog; i++)
		if (strcmp(rd->cofog[i].class_code, c[0]) == 0)
			return etl_fail(ld->err, "bad_config", line, "class_code",
			                "%s:%ld: class_code %s is listed twice", f->path, line,
			                c[0]);
	if (grow((void **)&rd->cofog, &ld->capcofog, rd->ncofog + 1, sizeof(*x)) < 0)
		return oom(ld);
	x = &rd->cofog[rd->ncofog];
	memset(x, 0, sizeof(*x));
	snprintf(x->class_code, sizeof(x->class_code), "%s", c[0]);
	snprintf(x->division, sizeof(x->division), "%s", c[1]);
	if (!(x->name = strdup(c[2])))
		return oom(ld);
	rd->ncofog++;
	return 0;
}

/* ------------------------------------------------------------------ old names */

static const char *const old_name_header[] = {"code", "name", "until_year", "source"};

/* Row handler of old_names.csv. */
static int old_name_row(struct csvfile *f, char **c, long line)
{
	struct loader *ld = f->ld;
	struct refdata *rd = ld->rd;
	struct old_name *x;
	char key[512];

	if (!level_of(SCHEME_FUNCTION, c[0]) || !c[1][0] || (c[2][0] && parse_year(c[2]) < 0))
		return etl_fail(
		    ld->err, "bad_config", line, NULL,
		    "%s:%ld: expected a function code, a name and an empty or four-digit "
		    "until_year",
		    f->path, line);
	if (grow((void **)&rd->old_names, &ld->capold, rd->nold_names + 1, sizeof(*x)) < 0)
		return oom(ld);
	x = &rd->old_names[rd->nold_names];
	memset(x, 0, sizeof(*x));
	snprintf(x->code, sizeof(x->code), "%s", c[0]);
	text_key(c[1], key, sizeof(key));
	x->until = c[2][0] ? parse_year(c[2]) : 0;
	if (!(x->key = strdup(key)))
		return oom(ld);
	rd->nold_names++;
	return 0;
}

const struct old_name *refdata_old_name(const struct refdata *rd, const char *code,
                                        const char *name)
{
	char key[512];

	text_key(name, key, sizeof(key));
	for (size_t i = 0; i < rd->nold_names; i++)
		if (strcmp(rd->old_names[i].code, code) == 0 &&
		    strcmp(rd->old_names[i].key, key) == 0)
			return &rd->old_names[i];
	return NULL;
}

/* Read dir/<name> with header h (n columns) and row handler fn, if present. */
static int load_top(struct loader *ld, const char *name, const char *const *h, int n,
                    int (*fn)(struct csvfile *, char **, long))
{
	char path[RD_PATH];
	struct csvfile *f = calloc(1, sizeof(*f));
	int rc;

	if (!f)
		return oom(ld);
	snprintf(path, sizeof(path), "%s/%s", ld->dir, name);
	*f = (struct csvfile){.ld = ld, .header = h, .ncols = n, .row = fn};
	rc = read_csv(f, path);
	free(f);
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ load */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The four-digit sub-folders of dir, ascending (*years malloc'd).  0 or -1. */
static int scan_years(struct loader *ld, int **years, size_t *n)
{
	DIR *d = opendir(ld->dir);
	struct dirent *e;
	size_t cap = 0;
	char path[RD_PATH];

	*years = NULL;
	*n = 0;
	if (!d)
		return etl_fail(ld->err, "bad_config", 0, NULL, "%s: cannot open: %s", ld->dir,
		                strerror(errno));
	while ((e = readdir(d))) {
		int y = parse_year(e->d_name);

		snprintf(path, sizeof(path), "%s/%s", ld->dir, e->d_name);
		if (y < 0 || !is_dir(path))
			continue;
		if (grow((void **)years, &cap, *n + 1, sizeof(int)) < 0) {
			closedir(d);
			return oom(ld);
		}
		(*years)[(*n)++] = y;
	}
	closedir(d);
	if (*n)
		qsort(*years, *n, sizeof(int), cmp_int);
	return 0;
}

static int cmp_list(const void *a, const void *b)
{
	const struct ref_list *x = a, *y = b;

	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	return (int)x->scheme - (int)y->scheme;
}

/* Finish every built list into rd->lists, sorted by (year, scheme). */
static int finish_lists(struct loader *ld)
{
	struct refdata *rd = ld->rd;
	struct ref_list *grown;

	/* appended: a lazy load adds one year's lists to those loaded before */
	if (ld->nlists) {
		if (!(grown = realloc(rd->lists, (rd->nlists + ld->nlists) * sizeof(*rd->lists))))
			return oom(ld);
		rd->lists = grown;
	}
	for (size_t i = 0; i < ld->nlists; i++) {
		if (finish_list(ld, &ld->lists[i], &rd->lists[rd->nlists]) < 0)
			return -1;
		rd->nlists++;
	}
	if (rd->nlists)
		qsort(rd->lists, rd->nlists, sizeof(*rd->lists), cmp_list);
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	const struct code_change *x = a, *y = b;

	if (x->scheme != y->scheme)
		return (int)x->scheme - (int)y->scheme;
	if (x->from_year != y->from_year)
		return x->from_year < y->from_year ? -1 : 1;
	return strcmp(x->from_code, y->from_code);
}

/* Free what the loader still owns (built codes not handed over, paths). */
static void loader_free(struct loader *ld)
{
	for (size_t i = 0; i < ld->nlists; i++) {
		for (size_t j = 0; j < ld->lists[i].n; j++)
			free(ld->lists[i].v[j].rc.name);
		free(ld->lists[i].v);
	}
	free(ld->lists);
	for (size_t i = 0; i < ld->nfiles; i++)
		free(ld->files[i]);
	free(ld->files);
}

/* The steps of refdata_load, in order; 0 or -1. */
static int load_all(struct loader *ld)
{
	int *years;
	size_t ny;
	int rc = 0;

	if (scan_years(ld, &years, &ny) < 0)
		return -1;
	if (ld->validate_only && !ld->only_year) {
		/* the lists are read when a year is first needed (refdata_list) */
		ld->rd->lazy_years = years;
		ld->rd->nlazy_years = ny;
		ld->rd->lazy = true;
		return load_top(ld, "old_names.csv", old_name_header, 4, old_name_row);
	}
	if (ld->only_year) {
		size_t k = 0;

		for (size_t i = 0; i < ny; i++)
			if (years[i] == ld->only_year)
				years[k++] = years[i];
		ny = k;
	}
	for (size_t i = 0; i < ny && rc == 0; i++)
		for (int s = 0; s < SCHEME_COUNT && rc == 0; s++)
			if (!ld->validate_only || s != SCHEME_ECON_GOV)
				rc = load_list(ld, years[i], (enum scheme)s);
	if (rc == 0)
		rc = load_local(ld);
	if (rc == 0)
		rc = finish_lists(ld);
	for (size_t i = 0; i < ny && rc == 0 && !ld->validate_only; i++)
		rc = load_crosswalk(ld, years[i]);
	free(years);
	if (rc == 0 && ld->rd->ncrosswalk)
		qsort(ld->rd->crosswalk, ld->rd->ncrosswalk, sizeof(*ld->rd->crosswalk), cmp_xwalk);
	if (ld->only_year)
		return rc; /* a lazy load: the top files were read at the start */
	if (rc == 0 && !ld->validate_only)
		rc = load_top(ld, "changes.csv", change_header, 7, change_row);
	if (rc == 0 && !ld->validate_only)
		rc = load_top(ld, "cofog.csv", cofog_header, 4, cofog_row);
	if (rc == 0)
		rc = load_top(ld, "old_names.csv", old_name_header, 4, old_name_row);
	if (rc == 0 && ld->rd->nchanges)
		qsort(ld->rd->changes, ld->rd->nchanges, sizeof(*ld->rd->changes), cmp_change);
	return rc;
}

static int load_refdata(struct refdata *rd, const char *dir, bool validate_only,
                        struct etl_err *err)
{
	struct loader ld = {.dir = dir, .rd = rd, .validate_only = validate_only, .err = err};
	int rc;

	memset(rd, 0, sizeof(*rd));
	etl_err_clear(err);
	if (validate_only && !(rd->lazy_dir = strdup(dir)))
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	rc = load_all(&ld);
	loader_free(&ld);
	if (rc < 0)
		refdata_free(rd);
	return rc;
}

int refdata_load(struct refdata *rd, const char *dir, struct etl_err *err)
{
	return load_refdata(rd, dir, false, err);
}

int refdata_load_for_validation(struct refdata *rd, const char *dir, struct etl_err *err)
{
	return load_refdata(rd, dir, true, err);
}

void refdata_free(struct refdata *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->nlists; i++) {
		for (size_t j = 0; j < rd->lists[i].n; j++) {
			free(rd->lists[i].codes[j].name);
			free(rd->lists[i].codes[j].key);
		}
		free(rd->lists[i].classes);
		free(rd->lists[i].codes);
	}
	free(rd->lists);
	free(rd->crosswalk);
	for (size_t i = 0; i < rd->nchanges; i++)
		free(rd->changes[i].note);
	for (size_t i = 0; i < rd->nold_names; i++)
		free(rd->old_names[i].key);
	free(rd->old_names);
	free(rd->changes);
	for (size_t i = 0; i < rd->ncofog; i++)
		free(rd->cofog[i].name);
	free(rd->cofog);
	free(rd->lazy_dir);
	free(rd->lazy_years);
	free(rd->lazy_loaded);
	memset(rd, 0, sizeof(*rd));
}

/* --------------------------------------------------------------- lookups */

/*
 * Read year's lists into rd (a lazy refdata): once per year, even when it
 * has none.  The refdata is logically const: its lookups answer the same,
 * only later.  Returns 0, or -1 with rd->lazy_err set (and kept).
 */
static int load_year(struct refdata *rd, int year)
{
	struct loader ld = {.dir = rd->lazy_dir,
	                    .rd = rd,
	                    .validate_only = true,
	                    .only_year = year,
	                    .err = &rd->lazy_err};
	int *grown, rc;

	for (size_t i = 0; i < rd->nlazy_loaded; i++)
		if (rd->lazy_loaded[i] == year)
			return 0;
	if (rd->lazy_failed)
		return -1;
	if (!(grown = realloc(rd->lazy_loaded, (rd->nlazy_loaded + 1) * sizeof(*grown)))) {
		etl_fail(&rd->lazy_err, "out_of_memory", 0, NULL, "out of memory");
		rd->lazy_failed = true;
		return -1;
	}
	rd->lazy_loaded = grown;
	rd->lazy_loaded[rd->nlazy_loaded++] = year;
	rc = load_all(&ld);
	loader_free(&ld);
	if (rc < 0)
		rd->lazy_failed = true;
	return rc;
}

const struct ref_list *refdata_list(const struct refdata *rd, int year, enum scheme s)
{
	struct ref_list key = {.year = year, .scheme = s};

	if (rd && rd->lazy && load_year((struct refdata *)rd, year) < 0)
		return NULL;
	if (!rd || !rd->nlists)
		return NULL;
	return bsearch(&key, rd->lists, rd->nlists, sizeof(*rd->lists), cmp_list);
}

const struct etl_err *refdata_error(const struct refdata *rd)
{
	return rd && rd->lazy_failed ? &rd->lazy_err : NULL;
}

static int cmp_ref_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ref_code *)elem)->code);
}

const struct ref_code *ref_find(const struct ref_list *l, const char *code)
{
	if (!l || !code || !l->n)
		return NULL;
	return bsearch(code, l->codes, l->n, sizeof(*l->codes), cmp_ref_key);
}

/* Index of the first code >= key in l (l->n when none). */
static size_t lower_bound(const struct ref_list *l, const char *key)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(l->codes[mid].code, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The child of parent (NULL or "" for the 类 level) named name after
 * text_key() folding.  When several children match, returns NULL with
 * *ambiguous set: the caller must not pick one.
 */
const struct ref_code *ref_find_child_by_name(const struct ref_list *l, const char *parent,
                                              const char *name, bool *ambiguous)
{
	char want[RD_KEY];
	const struct ref_code *hit = NULL;
	size_t plen = parent ? strlen(parent) : 0;

	if (ambiguous)
		*ambiguous = false;
	if (!l || !name || !*text_key(name, want, sizeof(want)))
		return NULL;
	if (!plen) { /* among the 类 */
		for (size_t k = 0; k < l->nclasses; k++) {
			const struct ref_code *c = &l->codes[l->classes[k]];

			if (strcmp(c->key, want) != 0)
				continue;
			if (hit) {
				if (ambiguous)
					*ambiguous = true;
				return NULL;
			}
			hit = c;
		}
		return hit;
	}
	for (size_t i = lower_bound(l, parent); i < l->n; i++) {
		const struct ref_code *c = &l->codes[i];

		if (strncmp(c->code, parent, plen) != 0)
			break; /* past the codes under parent */
		if (strcmp(c->parent, parent) != 0)
			continue;
		if (strcmp(c->key, want) != 0)
			continue;
		if (hit) {
			if (ambiguous)
				*ambiguous = true;
			return NULL;
		}
		hit = c;
	}
	return hit;
}

/* How many of code's ancestors (its 类, then its 款) c shares with it. */
static int shared_ancestors(const char *code, size_t len, const char *c)
{
	int n = 0;

	for (size_t p = 3; p < len; p += 2)
		if (strncmp(c, code, p) == 0)
			n++;
	return n;
}

static int nearer(const char *code, size_t len, const struct ref_code *a, const struct ref_code *b)
{
	long long x = atoll(code), da = llabs(atoll(a->code) - x), db = llabs(atoll(b->code) - x);
	int pa = shared_ancestors(code, len, a->code), pb = shared_ancestors(code, len, b->code);

	if (pa != pb)
		return pa > pb ? -1 : 1;
	if (da != db)
		return da < db ? -1 : 1;
	return strcmp(a->code, b->code);
}

/*
 * Up to max codes of code's level nearest to it: those under the same 款
 * first, then under the same 类, then by numeric distance.  code itself is
 * never among them.  Returns how many.
 */
int ref_nearest(const struct ref_list *l, const char *code, const struct ref_code **out, int max)
{
	int n = 0, lv;
	size_t len;

	if (!l || !code || max <= 0 || !(lv = level_of(l->scheme, code)))
		return 0;
	len = strlen(code);
	for (size_t i = 0; i < l->n; i++) {
		const struct ref_code *c = &l->codes[i];
		int at;

		if (c->level != lv || strcmp(c->code, code) == 0)
			continue;
		if (n == max && nearer(code, len, c, out[n - 1]) >= 0)
			continue;
		at = n < max ? n++ : max - 1; /* insertion sort into the kept set */
		while (at > 0 && nearer(code, len, c, out[at - 1]) < 0) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = c;
	}
	return n;
}

const char *refdata_crosswalk(const struct refdata *rd, int year, const char *unit_type,
                              const char *dept_code)
{
	struct crosswalk_entry key = {.year = year};
	const struct crosswalk_entry *x;

	if (!rd || !rd->ncrosswalk || !unit_type || !dept_code)
		return NULL;
	snprintf(key.unit_type, sizeof(key.unit_type), "%s", unit_type);
	snprintf(key.dept_code, sizeof(key.dept_code), "%s", dept_code);
	x = bsearch(&key, rd->crosswalk, rd->ncrosswalk, sizeof(*x), cmp_xwalk);
	return x ? x->gov_code : NULL;
}

int refdata_years(const struct refdata *rd, int *years, int max)
{
	int n = 0;

	if (rd && rd->lazy) {
		for (size_t i = 0; i < rd->nlazy_years && n < max; i++)
			years[n++] = rd->lazy_years[i];
		return n;
	}
	for (size_t i = 0; rd && i < rd->nlists && n < max; i++)
		if (rd->lists[i].scheme == SCHEME_FUNCTION)
			years[n++] = rd->lists[i].year;
	return n;
}
