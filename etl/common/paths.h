/*
 * paths: where the installation is, and which files a load is given.
 *
 * Shared by the three stage programs so that they agree on both: a folder
 * given on the command line means every .csv and .csv.gz below it, and
 * config/ and sql/ live in the installation's home.
 *
 * Ownership: callers own every buffer; paths handed to a callback are
 * borrowed for the duration of the call.  Errors: -1 with errno set.
 */
#ifndef ETL_PATHS_H
#define ETL_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The installation's home: $ETL_HOME, else the checkout holding the running
 * binary (the folder above build/, whichever build/ subfolder it is in).
 */
void paths_home(char *home, size_t size);

/* <home>/config: the default configuration folder of every stage. */
void paths_config_dir(char *dir, size_t size);

/*
 * path made absolute against cwd (the process's folder, read once by the
 * caller; "" when unknown), without resolving symlinks: etl.files keeps the
 * path the operator named.  A leading "./" is dropped.
 */
void paths_absolute(const char *cwd, const char *path, char *abs, size_t size);

/*
 * The path as a user reads it: relative to cwd when the file lies below it
 * ("2023/130001/表3.csv"), else as it is.  Borrowed from path.
 */
const char *paths_shown(const char *cwd, const char *path);

/* Longest department code a <year>/<dept>/ folder may name. */
#define PATHS_DEPT_MAX 60

/*
 * The submission a file belongs to by where it lies: <year>/<dept>/<file>,
 * year four digits from 1990 to 2100, dept 1..PATHS_DEPT_MAX characters of
 * [0-9A-Za-z_-].  On a match sets *year and dept (size > PATHS_DEPT_MAX)
 * and returns true; otherwise *year = 0, dept = "" and false.  The one
 * rule for extract (the F record's folder fields) and load (--jobs splits
 * by department).  path is taken as given (no symlink is resolved).
 */
bool paths_submission_key(const char *path, int *year, char *dept, size_t size);

/* True for a submission file name: *.csv or *.csv.gz, any case. */
bool paths_is_table_file(const char *name);

/*
 * A file of the input, or (problem != NULL) an entry that cannot be read,
 * with a stable reason code and an English explanation: the caller makes it
 * a rejected file, so that nothing is skipped in silence.  Reasons:
 *   unreadable_folder   a folder below PATH that cannot be listed
 *   path_too_long       a path longer than PATH_MAX
 *   not_regular_file    a .csv that is a pipe, device or socket
 *   symlink_outside     a symlink below PATH to something outside PATH
 *   broken_symlink      a symlink below PATH to nothing
 */
typedef int (*paths_file_fn)(void *ctx, const char *path, long long bytes, const char *problem,
                             const char *detail);

/*
 * Call fn for path when it is not a folder (taken as given, whatever its
 * name: a FIFO or device is reported by the reader), or for every table
 * file below it when it is one: recursively, hidden entries skipped, each
 * name of a file once (a hard link is a name of its own: read under each;
 * a symlink to a file of the tree is passed over, the walk reaching the
 * file itself, unless the file lies in a hidden folder: then read once by
 * device and inode), symlinks followed only to targets inside path, a
 * folder never entered twice (symlink loops end).  Returns 0, -1 with errno when path
 * itself cannot be read (66 for the caller), or the first non-zero value
 * fn returned.
 */
int paths_collect(const char *path, paths_file_fn fn, void *ctx);

#endif
