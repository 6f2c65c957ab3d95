#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void paths_home(char *home, size_t size)
{
	char exe[PATH_MAX];
	const char *env = getenv("ETL_HOME");
	char *cut;
	ssize_t n;

	if (env && *env) {
		snprintf(home, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(home, size, ".");
		return;
	}
	exe[n] = '\0';
	/* build/extract and build/asan/extract both live under <home>/build/ */
	cut = strstr(exe, "/build/");
	if (!cut)
		cut = strrchr(exe, '/');
	if (cut)
		*cut = '\0';
	snprintf(home, size, "%s", exe[0] ? exe : "/");
}

void paths_config_dir(char *dir, size_t size)
{
	char home[PATH_MAX - 64];

	paths_home(home, sizeof(home));
	snprintf(dir, size, "%s/config", home);
}

void paths_absolute(const char *cwd, const char *path, char *abs, size_t size)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/' || !cwd[0])
		snprintf(abs, size, "%s", path);
	else
		snprintf(abs, size, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
}

const char *paths_shown(const char *cwd, const char *path)
{
	size_t len = strlen(cwd);

	if (len > 1 && strncmp(path, cwd, len) == 0 && path[len] == '/' && path[len + 1])
		return path + len + 1;
	return path;
}

bool paths_is_table_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcasecmp(name + n - 4, ".csv") == 0) ||
	       (n > 7 && strcasecmp(name + n - 7, ".csv.gz") == 0);
}

/*
 * Every table file below a folder, depth first.  An unreadable subfolder is
 * skipped; only the folder the user named (top) fails the walk.
 */
/* (device, inode) of the folders, and of the files reached through symlinks, met in
 * one walk: an open-addressing set. */
struct seen {
	struct ident {
		dev_t dev;
		ino_t ino;
	} * v;
	size_t n, cap;
};

/* Add (dev, ino); 1 when new, 0 when seen before, -1 when memory ran out. */
static int seen_add(struct seen *s, dev_t dev, ino_t ino)
{
	size_t h;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct ident *v = calloc(cap, sizeof(*v));

		if (!v)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i].dev || s->v[i].ino) {
				h = ((size_t)s->v[i].ino * 0x9E3779B97F4A7C15u ^
				     (size_t)s->v[i].dev) &
				    (cap - 1);
				while (v[h].dev || v[h].ino)
					h = (h + 1) & (cap - 1);
				v[h] = s->v[i];
			}
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	h = ((size_t)ino * 0x9E3779B97F4A7C15u ^ (size_t)dev) & (s->cap - 1);
	while (s->v[h].dev || s->v[h].ino) {
		if (s->v[h].dev == dev && s->v[h].ino == ino)
			return 0;
		h = (h + 1) & (s->cap - 1);
	}
	s->v[h].dev = dev;
	s->v[h].ino = ino ? ino : (ino_t)-1; /* 0/0 marks an empty slot */
	s->n++;
	return 1;
}

struct walk {
	paths_file_fn fn;
	void *ctx;
	struct seen seen;
	char root[PATH_MAX]; /* the resolved folder named by the user */
	size_t rootlen;
};

/* Is the resolved path inside the named folder? */
static bool inside(const struct walk *w, const char *real)
{
	return strncmp(real, w->root, w->rootlen) == 0 &&
	       (real[w->rootlen] == '/' || real[w->rootlen] == '\0' || w->rootlen == 1);
}

static int walk_dir(struct walk *w, const char *dir);

/* Does the resolved path, inside the named folder, pass through a folder
 * the walk skips (a name starting with '.')? */
static bool in_hidden_folder(const struct walk *w, const char *real)
{
	const char *p = real + w->rootlen;

	while ((p = strchr(p, '/')))
		if (*++p == '.')
			return true;
	return false;
}

/* One entry of a folder: a file, a folder, a symlink, or something else. */
static int walk_entry(struct walk *w, const char *child, const char *name)
{
	struct stat st, lst;
	char real[PATH_MAX];
	int isnew;

	if (lstat(child, &lst) < 0)
		return 0; /* gone since it was listed */
	if (S_ISLNK(lst.st_mode)) {
		if (stat(child, &st) < 0 || !realpath(child, real))
			return paths_is_table_file(name)
			           ? w->fn(w->ctx, child, 0, "broken_symlink", strerror(errno))
			           : 0;
		if (!inside(w, real))
			return S_ISDIR(st.st_mode) || paths_is_table_file(name)
			           ? w->fn(w->ctx, child, 0, "symlink_outside", real)
			           : 0;
	} else {
		st = lst;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((isnew = seen_add(&w->seen, st.st_dev, st.st_ino)) < 0) {
			errno = ENOMEM;
			return -1;
		}
		return isnew ? walk_dir(w, child) : 0; /* entered once: loops end */
	}
	if (!paths_is_table_file(name))
		return 0;
	if (!S_ISREG(st.st_mode))
		return w->fn(w->ctx, child, 0, "not_regular_file", "a pipe, device or socket");
	/*
	 * A file is read under each name the tree gives it (hard links are
	 * names a user made, e.g. a snapshot made with cp -al).  A symlink to
	 * a file of the tree is not a name of its own: the walk reaches the
	 * file itself, so the symlink is passed over, unless the file lies in
	 * a folder the walk skips; then it is read once, however many symlinks
	 * lead to it.
	 */
	if (S_ISLNK(lst.st_mode)) {
		if (!in_hidden_folder(w, real))
			return 0;
		if ((isnew = seen_add(&w->seen, st.st_dev, st.st_ino)) < 0) {
			errno = ENOMEM;
			return -1;
		}
		if (!isnew)
			return 0;
	}
	return w->fn(w->ctx, child, (long long)st.st_size, NULL, NULL);
}

static int walk_dir(struct walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return w->fn(w->ctx, dir, 0, "unreadable_folder", strerror(errno));
	while (rc == 0 && (de = readdir(d))) {
		char child[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", dir, de->d_name) >=
		    sizeof(child)) {
			char shown[PATH_MAX];

			snprintf(shown, sizeof(shown), "%s/%s", dir, de->d_name); /* cut */
			rc = w->fn(w->ctx, shown, 0, "path_too_long", "longer than PATH_MAX");
			continue;
		}
		rc = walk_entry(w, child, de->d_name);
	}
	closedir(d);
	return rc;
}

int paths_collect(const char *path, paths_file_fn fn, void *ctx)
{
	struct stat st;
	struct walk *w;
	DIR *probe;
	int rc;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return fn(ctx, path, (long long)st.st_size, NULL, NULL);
	/* the folder named on the command line must itself be readable (66) */
	if (!(probe = opendir(path)))
		return -1;
	closedir(probe);
	if (!(w = calloc(1, sizeof(*w))))
		return -1;
	w->fn = fn;
	w->ctx = ctx;
	if (!realpath(path, w->root)) {
		free(w);
		return -1;
	}
	w->rootlen = strlen(w->root);
	if (seen_add(&w->seen, st.st_dev, st.st_ino) < 0) {
		free(w);
		errno = ENOMEM;
		return -1;
	}
	rc = walk_dir(w, path);
	free(w->seen.v);
	free(w);
	return rc;
}

bool paths_submission_key(const char *path, int *year, char *dept, size_t size)
{
	const char *end = strrchr(path, '/'), *d, *y;
	size_t dn;
	int v = 0;

	*year = 0;
	if (size)
		dept[0] = '\0';
	if (!end)
		return false;
	for (d = end; d > path && d[-1] != '/'; d--)
		;
	if (d == path || d == end)
		return false;
	dn = (size_t)(end - d);
	for (y = d - 1; y > path && y[-1] != '/'; y--)
		;
	if (d - 1 - y != 4 || dn > PATHS_DEPT_MAX || dn >= size)
		return false;
	for (int i = 0; i < 4; i++) {
		if (y[i] < '0' || y[i] > '9')
			return false;
		v = v * 10 + (y[i] - '0');
	}
	if (v < 1990 || v > 2100)
		return false;
	for (size_t i = 0; i < dn; i++)
		if (!strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-",
		            d[i]))
			return false;
	memcpy(dept, d, dn);
	dept[dn] = '\0';
	*year = v;
	return true;
}
