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
 *
 * Conventions (shared by the three programs): options with getopt_long,
 * exit codes from <sysexits.h>, diagnostics through log.h; only main()
 * exits.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "csvread.h"
#include "infile.h"
#include "log.h"
#include "paths.h"
#include "stream.h"
#include "table.h"
#include "textnorm.h"
#include "wording.h"

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

/*
 * An entry that cannot be read (paths_collect's problem) is kept in the list
 * as PROBLEM_MARK reason PROBLEM_MARK detail PROBLEM_MARK path, the form
 * load hands a worker in --files0-from, and becomes a rejected file.
 */
#define PROBLEM_MARK '\x01'

static int add_file(void *ctx, const char *path, long long bytes, const char *problem,
                    const char *detail)
{
	char *entry;
	int rc;

	(void)bytes;
	if (!problem)
		return add_path(ctx, path);
	if (asprintf(&entry, "%c%s%c%s%c%s", PROBLEM_MARK, problem, PROBLEM_MARK,
	             detail ? detail : "", PROBLEM_MARK, path) < 0)
		return -1;
	rc = add_path(ctx, entry);
	free(entry);
	return rc;
}

/* The path of an entry (after a problem's reason and detail). */
static const char *entry_path(const char *e)
{
	const char *p;

	if (*e != PROBLEM_MARK || !(p = strchr(e + 1, PROBLEM_MARK)) ||
	    !(p = strchr(p + 1, PROBLEM_MARK)))
		return e;
	return p + 1;
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
	return strcmp(entry_path(*(char *const *)a), entry_path(*(char *const *)b));
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

/*
 * An entry that cannot be read (a folder, a pipe, a symlink out of the tree):
 * a file rejected whole, so that the run says so and cron mails it.
 */
static void reject_entry(const char *entry, const struct wording *w, FILE *out)
{
	char abs[PATH_MAX], shown[PATH_MAX * 4], reason[64], detail[PATH_MAX];
	const char *p = entry + 1, *q = strchr(p, PROBLEM_MARK),
	           *r = q ? strchr(q + 1, PROBLEM_MARK) : NULL;
	struct file_info fi;
	struct table t;
	struct etl_err err;

	if (!q || !r)
		return;
	snprintf(reason, sizeof(reason), "%.*s", (int)(q - p), p);
	snprintf(detail, sizeof(detail), "%.*s", (int)(r - q - 1), q + 1);
	paths_absolute(cwd, r + 1, abs, sizeof(abs));
	memset(&fi, 0, sizeof(fi));
	fi.path = text_escape_path(abs, shown, sizeof(shown));
	fi.sha256 = "";
	fi.encoding = "";
	fi.compression = "none";
	paths_submission_key(abs, &fi.folder_year, fi.folder_dept, sizeof(fi.folder_dept));
	table_init(&t, w, out, &fi, NULL, NULL);
	etl_err_clear(&err);
	etl_fail(&err, reason, 0, NULL, "%s",
	         strcmp(reason, "unreadable_folder") == 0 ? "无法读取该文件夹，其中的表未装载"
	         : strcmp(reason, "path_too_long") == 0 ? "路径超过系统上限（PATH_MAX），未读取"
	         : strcmp(reason, "not_regular_file") == 0
	             ? "不是普通文件（管道、设备或套接字），未读取"
	         : strcmp(reason, "symlink_outside") == 0 ? "符号链接指向所给文件夹之外，未读取"
	         : strcmp(reason, "broken_symlink") == 0 ? "符号链接所指的文件不存在"
	                                                 : "无法读取");
	if (*detail) {
		char d[PATH_MAX * 4];

		snprintf(err.message + strlen(err.message),
		         sizeof(err.message) - strlen(err.message), "（%s）",
		         text_escape_controls(detail, d, sizeof(d)));
		text_utf8_cut(err.message);
	}
	table_reject_file(&t, &err);
	table_finish(&t);
	table_free(&t);
}

/* Read one file into the stream. */
static void extract_file(const char *path, const struct wording *w, const struct dept_registry *reg,
                         char *buf, FILE *out)
{
	char abs[PATH_MAX], shown[PATH_MAX * 4];
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
	/*
	 * The path as the stream and the database keep it: bytes that are not
	 * UTF-8 (a GBK name from an archive made on Chinese Windows) and
	 * control characters (a newline) written as \xHH, \n; the file itself
	 * is opened by its real name.
	 */
	fi.path = text_escape_path(abs, shown, sizeof(shown));
	paths_submission_key(abs, &fi.folder_year, fi.folder_dept, sizeof(fi.folder_dept));
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

struct dump {
	FILE *out;
	struct etl_err *err;
};

static int print_record(void *ctx, const struct csv_record *rec)
{
	struct dump *d = ctx;
	FILE *out = d->out;

	/* the reader hands such a field on empty: --records must not show it so */
	if (rec->oversize_field) {
		etl_fail(d->err, "too_large", rec->line, NULL,
		         "field longer than %d bytes (line %ld)", CSVREAD_MAX_FIELD, rec->line);
		return 1;
	}

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
	struct dump d = {stdout, &err};
	ssize_t n;
	int started = 0, rc = 0;

	etl_err_clear(&err);
	if (infile_open(&f, path, &err) < 0)
		goto fail;
	while ((n = infile_read(&f, buf, sizeof(buf), &err)) > 0) {
		if (!started &&
		    csvread_init(&cr, sniff_delim(buf, (size_t)n), print_record, &d, &err) < 0)
			goto fail;
		started = 1;
		if ((rc = csvread_feed(&cr, buf, (size_t)n)) < 0 || rc == 1)
			goto fail;
	}
	if (n < 0 || (started && (rc = csvread_finish(&cr)) != 0))
		goto fail;
	if (started)
		csvread_free(&cr);
	infile_close(&f);
	return EX_OK;
fail:
	fflush(stdout);
	/* Decoding messages already say where; others get the offset added. */
	if (err.offset >= 0 && !strstr(err.message, "offset"))
		log_error("%s:%ld: %s: %s (byte offset %lld)", path, err.line, err.reason,
		          err.message, (long long)err.offset);
	else
		log_error("%s:%ld: %s: %s", path, err.line, err.reason, err.message);
	if (started)
		csvread_free(&cr);
	infile_close(&f);
	return strcmp(err.reason, "not_found") == 0 ? EX_NOINPUT : EX_DATAERR;
}

static void usage(FILE *out)
{
	fputs("usage: extract [--config-dir DIR] PATH...\n"
	      "       extract [--config-dir DIR] --files0-from FILE\n"
	      "       extract --records FILE\n"
	      "Reads submission files (.csv, .csv.gz; folders recursively) and writes the\n"
	      "row stream (README \"The stages and the row stream\") on standard output.\n"
	      "  --config-dir DIR     configuration (default $ETL_HOME/config)\n"
	      "  --files0-from FILE   the files, NUL-terminated, in that order (\"-\": stdin)\n"
	      "  --records FILE       print the records the reader saw in FILE, as COPY text\n",
	      out);
}

struct options {
	char config_dir[PATH_MAX];
	const char *files0, *records;
	char **paths;
	int npaths;
};

/* Parse argv; 0, or EX_USAGE after printing why, or -1 for --help (exit 0). */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CONFIG_DIR = 256, OPT_FILES0, OPT_RECORDS };
	static const struct option longopts[] = {
	    {"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	    {"files0-from", required_argument, NULL, OPT_FILES0},
	    {"records", required_argument, NULL, OPT_RECORDS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	paths_config_dir(o->config_dir, sizeof(o->config_dir));
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG_DIR:
			snprintf(o->config_dir, sizeof(o->config_dir), "%s", optarg);
			break;
		case OPT_FILES0: o->files0 = optarg; break;
		case OPT_RECORDS: o->records = optarg; break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EX_USAGE;
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	if ((o->records && (o->files0 || o->npaths)) || (o->files0 && o->npaths) ||
	    (!o->records && !o->files0 && !o->npaths)) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

/* The files to read, in stream order; 0 or EX_NOINPUT (said why). */
static int collect(const struct options *o, struct pathlist *files)
{
	if (o->files0) {
		/* the files as given, in that order (load --jobs hands each pipeline its own) */
		if (read_files0(files, o->files0) < 0) {
			log_error("%s: %s", o->files0, strerror(errno));
			return EX_NOINPUT;
		}
		return 0;
	}
	for (int i = 0; i < o->npaths; i++) {
		size_t before = files->n;

		if (paths_collect(o->paths[i], add_file, files) < 0) {
			log_error("%s: %s", o->paths[i], strerror(errno));
			return EX_NOINPUT;
		}
		if (files->n == before) {
			log_error("%s: no .csv or .csv.gz file", o->paths[i]);
			return EX_NOINPUT;
		}
	}
	qsort(files->p, files->n, sizeof(char *), cmp_str);
	return 0;
}

/* Read the configuration extract needs; 0 or EX_CONFIG (said why). */
static int read_config(const struct options *o, struct wording *w, struct dept_registry *reg)
{
	char path[PATH_MAX + 32];
	struct etl_err err;
	bool found;

	etl_err_clear(&err);
	if (wording_load(w, o->config_dir, &err) < 0) {
		log_error("%s", err.message);
		return EX_CONFIG;
	}
	snprintf(path, sizeof(path), "%s/departments.csv", o->config_dir);
	if (dept_registry_load(reg, path, &found, &err) < 0) {
		log_error("%s", err.message);
		wording_free(w);
		return EX_CONFIG;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct pathlist files = {0};
	struct wording w;
	struct dept_registry reg = {0};
	char *buf;
	int code;

	log_init("extract", false, false);
	if ((code = parse_options(argc, argv, &o)))
		return code < 0 ? EX_OK : code;
	if (o.records)
		return dump_records(o.records);
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	/* Early exits free what they hold: LeakSanitizer would turn the exit
	 * code of the ASan build into 1. */
	if ((code = collect(&o, &files)) || (code = read_config(&o, &w, &reg))) {
		free_paths(&files);
		return code;
	}
	buf = malloc(INFILE_CHUNK);
	if (!buf) {
		log_error("out of memory");
		code = EX_OSERR;
	} else {
		stream_buffer(stdout);
		stream_write_header(stdout);
		for (size_t k = 0; k < files.n; k++)
			if (files.p[k][0] == PROBLEM_MARK)
				reject_entry(files.p[k], &w, stdout);
			else
				extract_file(files.p[k], &w, &reg, buf, stdout);
		code = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	free(buf);
	free_paths(&files);
	wording_free(&w);
	dept_registry_free(&reg);
	return code;
}
