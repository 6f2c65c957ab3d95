/*
 * outdir: folders and files written whole (outdir.h).
 */
#include "outdir.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outdir_make(const char *dir, struct etl_err *err)
{
	char p[PATH_MAX];
	struct stat st;
	size_t n;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return etl_fail(err, "cant_create", 0, NULL, "%.200s…: path too long", dir);
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return etl_fail(err, "cant_create", 0, NULL, "%s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return etl_fail(err, "cant_create", 0, NULL, "%s: %s", p, strerror(errno));
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		return etl_fail(err, "cant_create", 0, NULL, "%s: not a folder", p);
	return 0;
}

int outfile_open(struct outfile *o, const char *dir, const char *rel, struct etl_err *err)
{
	memset(o, 0, sizeof(*o));
	if (snprintf(o->path, sizeof(o->path), "%s/%s", dir, rel) >= (int)sizeof(o->path))
		return etl_fail(err, "cant_create", 0, NULL, "%.200s…/%s: path too long", dir, rel);
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", o->path);
	o->f = fopen(o->tmp, "w");
	if (!o->f)
		return etl_fail(err, "cant_create", 0, NULL, "%s: %s", o->tmp, strerror(errno));
	return 0;
}

int outfile_commit(struct outfile *o, struct etl_err *err)
{
	int bad = ferror(o->f);
	int saved;

	if (fclose(o->f) != 0 && !bad)
		bad = 1;
	saved = errno;
	o->f = NULL;
	if (bad) {
		unlink(o->tmp);
		return etl_fail(err, "cant_create", 0, NULL, "%s: %s", o->path,
		                saved ? strerror(saved) : "write error");
	}
	if (rename(o->tmp, o->path) != 0) {
		saved = errno;
		unlink(o->tmp);
		return etl_fail(err, "cant_create", 0, NULL, "%s: %s", o->path, strerror(saved));
	}
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (!o->f)
		return;
	fclose(o->f);
	o->f = NULL;
	unlink(o->tmp);
}
