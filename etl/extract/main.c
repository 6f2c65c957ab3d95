/*
 * extract: submission files in, the canonical row stream out (etl/stream.h).
 *
 *   extract [--config-dir DIR] PATH...      files or folders (recursive),
 *                                           .csv and .csv.gz
 *   extract --records FILE                  the records the reader saw, one
 *                                           per line as COPY text
 *
 * Files are taken in path order, so the files of one <year>/<dept>/ folder
 * (one submission) are consecutive in the stream.  A file that cannot be
 * read, decoded or recognised is in the stream too, rejected whole: only
 * bad usage (64), a missing path or a path with no table file (66) and bad
 * configuration (78) stop extract itself.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "csvread.h"
#include "infile.h"
#include "paths.h"
#include "stream.h"
#include "table.h"
#include "wording.h"

#define EX_OK       0
#define EX_USAGE    64
#define EX_NOINPUT  66
#define EX_SOFTWARE 70
#define EX_CONFIG   78

struct pathlist {
	char **p;
	size_t n, cap;
};

static int add_path(struct pathlist *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **p = realloc(l->p, cap * sizeof(*p));

		if (!p)
			return -1;
		l->p = p;
		l->cap = cap;
	}
	l->p[l->n] = strdup(path);
	return l->p[l->n++] ? 0 : -1;
}

static void free_paths(struct pathlist *l)
{
	for (size_t k = 0; k < l->n; k++)
		free(l->p[k]);
	free(l->p);
	memset(l, 0, sizeof(*l));
}

static int add_file(void *ctx, const char *path, long long bytes)
{
	(void)bytes;
	return add_path(ctx, path);
}

/* --files0-from FILE ("-": stdin): NUL-terminated paths, kept in their order. */
static int read_files0(struct pathlist *l, const char *from)
{
	FILE *in = strcmp(from, "-") == 0 ? stdin : fopen(from, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!in)
		return -1;
	while ((n = getdelim(&line, &cap, '\0', in)) > 0) {
		if (line[n - 1] == '\0')
			n--;
		if (n == 0)
			continue;
		line[n] = '\0';
		if (add_path(l, line) < 0) {
			free(line);
			return -1;
		}
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* <year>/<dept>/<file>: the two folder names above the file, if they fit. */
static void folder_identity(const char *abs, struct file_info *fi)
{
	char tmp[PATH_MAX];
	char *slash, *dept, *year;

	fi->folder_year = 0;
	fi->folder_dept[0] = '\0';
	snprintf(tmp, sizeof(tmp), "%s", abs);
	slash = strrchr(tmp, '/');
	if (!slash)
		return;
	*slash = '\0';
	dept = strrchr(tmp, '/');
	if (!dept)
		return;
	*dept++ = '\0';
	year = strrchr(tmp, '/');
	year = year ? year + 1 : tmp;
	if (strlen(year) != 4 || strspn(year, "0123456789") != 4 || !*dept ||
	    strspn(dept, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-") !=
	        strlen(dept))
		return;
	fi->folder_year = atoi(year);
	if (fi->folder_year < 1990 || fi->folder_year > 2100) {
		fi->folder_year = 0;
		return;
	}
	snprintf(fi->folder_dept, sizeof(fi->folder_dept), "%s", dept);
}

/* The current folder, read once: every file's path is made absolute against it. */
static char cwd[PATH_MAX - 512];

static const char *dept_by_name(void *ctx, const char *name)
{
	const struct dept_registry *reg = ctx;

	for (size_t i = 0; reg && i < reg->n; i++)
		if (strcmp(reg->dept[i].name, name) == 0)
			return reg->dept[i].code;
	return NULL;
}

/* The delimiter: ',' unless the first line has TABs and no commas. */
static char sniff_delim(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	return memchr(buf, '\t', n) && !memchr(buf, ',', n) ? '\t' : ',';
}

static int on_table_record(void *ctx, const struct csv_record *rec)
{
	return table_record(ctx, rec);
}

/* Read one file into the stream. */
static void extract_file(const char *path, const struct wording *w, const struct dept_registry *reg,
                         char *buf, FILE *out)
{
	char abs[PATH_MAX];
	struct infile f;
	struct etl_err err;
	struct file_info fi;
	struct table t;
	struct csvread cr;
	ssize_t n;
	int started = 0, rc = 0;

	etl_err_clear(&err);
	paths_absolute(cwd, path, abs, sizeof(abs));
	memset(&fi, 0, sizeof(fi));
	fi.path = abs;
	folder_identity(abs, &fi);
	rc = infile_open(&f, path, &err);
	fi.sha256 = f.sha256;
	fi.bytes = f.disk_bytes;
	fi.encoding = rc < 0 ? "" : encoding_name(f.enc);
	fi.compression = f.compressed ? "gzip" : "none";
	fi.encoding_needs_proof = rc == 0 && f.enc != ENC_UTF8 && f.enc != ENC_UTF8_BOM;
	table_init(&t, w, out, &fi, dept_by_name, (void *)reg);
	if (rc < 0) {
		table_reject_file(&t, &err);
		goto done;
	}
	while ((n = infile_read(&f, buf, INFILE_CHUNK, &err)) > 0) {
		if (!started) {
			if (csvread_init(&cr, sniff_delim(buf, (size_t)n), on_table_record, &t,
			                 &err) < 0)
				break;
			started = 1;
		}
		rc = csvread_feed(&cr, buf, (size_t)n);
		if (rc)
			break;
	}
	if (n < 0 || (started && rc == 0 && csvread_finish(&cr) < 0) || (started && rc < 0))
		table_reject_file(&t, &err);
	if (started)
		csvread_free(&cr);
done:
	table_finish(&t);
	table_free(&t);
	infile_close(&f);
}

static int print_record(void *ctx, const struct csv_record *rec)
{
	FILE *out = ctx;

	for (int i = 0; i < rec->nfields; i++) {
		if (i)
			putc('\t', out);
		stream_put_escaped(out, rec->field[i]);
	}
	putc('\n', out);
	return 0;
}

/* --records: what the reader saw, with no interpretation. */
static int dump_records(const char *path)
{
	struct infile f;
	struct etl_err err;
	struct csvread cr;
	static char buf[INFILE_CHUNK];
	ssize_t n;
	int started = 0, rc = 0;

	etl_err_clear(&err);
	if (infile_open(&f, path, &err) < 0)
		goto fail;
	while ((n = infile_read(&f, buf, sizeof(buf), &err)) > 0) {
		if (!started &&
		    csvread_init(&cr, sniff_delim(buf, (size_t)n), print_record, stdout, &err) < 0)
			goto fail;
		started = 1;
		if ((rc = csvread_feed(&cr, buf, (size_t)n)) < 0)
			goto fail;
	}
	if (n < 0 || (started && csvread_finish(&cr) < 0))
		goto fail;
	if (started)
		csvread_free(&cr);
	infile_close(&f);
	return EX_OK;
fail:
	fflush(stdout);
	fprintf(stderr, "%s:%ld: %s: %s", path, err.line, err.reason, err.message);
	/* Decoding messages already say where; others get the offset added. */
	if (err.offset >= 0 && !strstr(err.message, "offset"))
		fprintf(stderr, " (byte offset %lld)", (long long)err.offset);
	fputc('\n', stderr);
	if (started)
		csvread_free(&cr);
	infile_close(&f);
	return strcmp(err.reason, "not_found") == 0 ? EX_NOINPUT : 65;
}

static void usage(void)
{
	fprintf(stderr, "usage: extract [--config-dir DIR] PATH...\n"
	                "       extract [--config-dir DIR] --files0-from FILE\n"
	                "       extract --records FILE\n");
}

int main(int argc, char **argv)
{
	char config_dir[PATH_MAX], path[PATH_MAX + 32];
	struct pathlist files = {0};
	struct wording w;
	struct dept_registry reg = {0};
	struct etl_err err;
	bool found;
	char *buf;
	const char *files0 = NULL;
	int i = 1;

	paths_config_dir(config_dir, sizeof(config_dir));
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	if (argc >= 2 && strcmp(argv[1], "--records") == 0) {
		if (argc != 3) {
			usage();
			return EX_USAGE;
		}
		return dump_records(argv[2]);
	}
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--config-dir") == 0 && i + 1 < argc)
			snprintf(config_dir, sizeof(config_dir), "%s", argv[++i]);
		else if (strcmp(argv[i], "--files0-from") == 0 && i + 1 < argc)
			files0 = argv[++i];
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			usage();
			return EX_USAGE;
		}
	}
	if (files0) {
		/* the files as given, in that order (load --jobs hands each pipeline its own) */
		if (i != argc) {
			usage();
			return EX_USAGE;
		}
		if (read_files0(&files, files0) < 0) {
			fprintf(stderr, "extract: %s: %s\n", files0, strerror(errno));
			return EX_NOINPUT;
		}
	} else if (i == argc) {
		usage();
		return EX_USAGE;
	}
	for (; i < argc; i++) {
		size_t before = files.n;

		/* Early exits free what they hold: LeakSanitizer would turn the
		 * exit code of the ASan build into 1. */
		if (paths_collect(argv[i], add_file, &files) < 0) {
			fprintf(stderr, "extract: %s: %s\n", argv[i], strerror(errno));
			free_paths(&files);
			return EX_NOINPUT;
		}
		if (files.n == before) {
			fprintf(stderr, "extract: %s: no .csv or .csv.gz file\n", argv[i]);
			free_paths(&files);
			return EX_NOINPUT;
		}
	}
	if (!files0)
		qsort(files.p, files.n, sizeof(char *), cmp_str);
	etl_err_clear(&err);
	if (wording_load(&w, config_dir, &err) < 0) {
		fprintf(stderr, "extract: %s\n", err.message);
		free_paths(&files);
		return EX_CONFIG;
	}
	snprintf(path, sizeof(path), "%s/departments.csv", config_dir);
	if (dept_registry_load(&reg, path, &found, &err) < 0) {
		fprintf(stderr, "extract: %s\n", err.message);
		free_paths(&files);
		wording_free(&w);
		return EX_CONFIG;
	}
	buf = malloc(INFILE_CHUNK);
	if (!buf)
		return EX_SOFTWARE;
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	stream_write_header(stdout);
	for (size_t k = 0; k < files.n; k++) {
		extract_file(files.p[k], &w, &reg, buf, stdout);
		free(files.p[k]);
	}
	free(files.p);
	free(buf);
	wording_free(&w);
	dept_registry_free(&reg);
	if (fflush(stdout) != 0)
		return EX_SOFTWARE;
	return EX_OK;
}
