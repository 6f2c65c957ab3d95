/*
 * files: the table files of the PATHs, in extract's order, and their split
 * between --jobs workers by department (every year of a department goes to
 * one worker, so that no table, and no first registration of a department,
 * is written by two).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"
#include "paths.h"

static int list_add_file(struct filelist *l, const char *path, long long bytes)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct tfile *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	if (!(l->v[l->n].path = strdup(path)))
		return -1;
	l->v[l->n++].bytes = bytes;
	return 0;
}

/*
 * paths_collect callback: keep the file and its size.  An entry that cannot
 * be read is kept in extract's --files0-from form (\x01reason\x01detail
 * \x01path): the worker's extract makes it a rejected file.
 */
static int list_file(void *ctx, const char *path, long long bytes, const char *problem,
                     const char *detail)
{
	char *entry;
	int rc;

	if (!problem)
		return list_add_file(ctx, path, bytes);
	if (asprintf(&entry, "\x01%s\x01%s\x01%s", problem, detail ? detail : "", path) < 0)
		return -1;
	rc = list_add_file(ctx, entry, 0);
	free(entry);
	return rc;
}

/* The path of an entry, past a problem's reason and detail. */
static const char *entry_path(const char *e)
{
	const char *p;

	if (*e != '\x01' || !(p = strchr(e + 1, '\x01')) || !(p = strchr(p + 1, '\x01')))
		return e;
	return p + 1;
}

static int cmp_tfile(const void *a, const void *b)
{
	return strcmp(entry_path(((const struct tfile *)a)->path),
	              entry_path(((const struct tfile *)b)->path));
}

void files_free(struct filelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int files_enumerate(const struct opts *o, struct filelist *l)
{
	for (int i = 0; i < o->npaths; i++) {
		size_t before = l->n;

		if (paths_collect(o->paths[i], list_file, l) < 0) {
			log_error("%s: %s", o->paths[i], strerror(errno));
			return EX_NOINPUT;
		}
		if (l->n == before) {
			log_error("%s: no .csv or .csv.gz file", o->paths[i]);
			return EX_NOINPUT;
		}
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_tfile);
	return 0;
}

/* The submission of a file, by paths_submission_key() on its resolved path. */
static void layout_key(struct tfile *t)
{
	char abs[PATH_MAX];

	if (!realpath(entry_path(t->path), abs))
		snprintf(abs, sizeof(abs), "%s", entry_path(t->path));
	paths_submission_key(abs, &t->year, t->dept, sizeof(t->dept));
}

struct deptload {
	const char *dept;
	long long bytes;
	int worker;
};

static int cmp_str_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_load(const void *a, const void *b)
{
	const struct deptload *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : strcmp(x->dept, y->dept);
}

/*
 * Every file in the layout, and each submission folder met in one run of
 * consecutive files (one pipeline keeps the order otherwise).
 */
static bool layout_allows_split(struct filelist *l)
{
	char(*keys)[80] = calloc(l->n + 1, sizeof(*keys));
	const char **sorted = calloc(l->n + 1, sizeof(char *));
	size_t nk = 0;
	bool ok = keys && sorted;

	for (size_t i = 0; ok && i < l->n; i++) {
		layout_key(&l->v[i]);
		if (!l->v[i].year) {
			ok = false;
			break;
		}
		snprintf(keys[i], sizeof(keys[i]), "%d/%s", l->v[i].year, l->v[i].dept);
		if (i == 0 || strcmp(keys[i], keys[i - 1]) != 0)
			sorted[nk++] = keys[i];
	}
	if (ok && nk) {
		qsort(sorted, nk, sizeof(char *), cmp_str_p);
		for (size_t i = 1; ok && i < nk; i++)
			ok = strcmp(sorted[i], sorted[i - 1]) != 0;
	}
	free(keys);
	free(sorted);
	return ok;
}

/* Departments and their bytes, biggest first to the least loaded worker. */
static bool assign(struct filelist *l, int n)
{
	const char **dv = calloc(l->n + 1, sizeof(char *));
	struct deptload *d = calloc(l->n + 1, sizeof(*d));
	long long *load = calloc((size_t)n, sizeof(long long));
	size_t nd = 0;
	bool ok = dv && d && load;

	for (size_t i = 0; ok && i < l->n; i++)
		dv[i] = l->v[i].dept;
	if (ok) {
		qsort(dv, l->n, sizeof(char *), cmp_str_p);
		for (size_t i = 0; i < l->n; i++)
			if (nd == 0 || strcmp(d[nd - 1].dept, dv[i]) != 0)
				d[nd++].dept = dv[i];
		for (size_t i = 0; i < l->n; i++) {
			const char *key = l->v[i].dept;
			struct deptload *hit = bsearch(&key, d, nd, sizeof(*d), cmp_str_p);

			if (hit)
				hit->bytes += l->v[i].bytes;
		}
		qsort(d, nd, sizeof(*d), cmp_load);
		for (size_t i = 0; i < nd; i++) {
			int best = 0;

			for (int w = 1; w < n; w++)
				if (load[w] < load[best])
					best = w;
			d[i].worker = best;
			load[best] += d[i].bytes;
		}
		qsort(d, nd, sizeof(*d), cmp_str_p);
		for (size_t i = 0; i < l->n; i++) {
			const char *key = l->v[i].dept;
			struct deptload *hit = bsearch(&key, d, nd, sizeof(*d), cmp_str_p);

			l->v[i].worker = hit ? hit->worker : 0;
		}
	}
	free(dv);
	free(d);
	free(load);
	return ok;
}

bool files_split(struct filelist *l, int n)
{
	return layout_allows_split(l) && assign(l, n);
}
