/*
 * outdir: the report's files on disk.  Each file is written beside its
 * final name (NAME.tmp) and renamed over it when complete, so a person
 * opening the site while it is rewritten sees the old page or the new one,
 * never half of one.  Files of departments that no longer appear are not
 * removed (the index links only current pages).
 *
 * Ownership: struct outfile owns its FILE until outfile_commit() or
 * outfile_abort().  Errors: -1 with err->reason "cant_create" (exit 73),
 * the message naming the path and the system's words.
 */
#ifndef ETL_REPORT_OUTDIR_H
#define ETL_REPORT_OUTDIR_H

#include <limits.h>
#include <stdio.h>

#include "err.h"

struct outfile {
	FILE *f;
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
};

/* mkdir -p dir (mode 0755 before the umask). */
int outdir_make(const char *dir, struct etl_err *err);

/* Open dir/rel for writing (its folder must exist). */
int outfile_open(struct outfile *o, const char *dir, const char *rel, struct etl_err *err);

/* Flush, close and rename into place; the file is gone on failure. */
int outfile_commit(struct outfile *o, struct etl_err *err);

/* Close and remove the unfinished file (nothing when none is open). */
void outfile_abort(struct outfile *o);

#endif
