#include "paths.h"

#include <dirent.h>
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
static int walk(const char *dir, paths_file_fn fn, void *ctx, bool top)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return top ? -1 : 0;
	while (rc == 0 && (de = readdir(d))) {
		char child[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", dir, de->d_name);
		if (stat(child, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk(child, fn, ctx, false);
		else if (paths_is_table_file(de->d_name))
			rc = fn(ctx, child, (long long)st.st_size);
	}
	closedir(d);
	return rc;
}

int paths_collect(const char *path, paths_file_fn fn, void *ctx)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return fn(ctx, path, (long long)st.st_size);
	return walk(path, fn, ctx, true);
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
