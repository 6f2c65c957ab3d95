/*
 * summary: what a run prints at its end, the tally a worker sends its
 * parent, and the progress bar on a terminal (curl's tool_progress.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load.h"
#include "log.h"
#include "textnorm.h"

/* ---- bounded lists ----------------------------------------------------------- */

bool list_add(char **list, int *n, const char *s)
{
	if (*n >= MAX_LISTED)
		return false;
	list[*n] = strdup(s);
	if (list[*n])
		(*n)++;
	return true;
}

bool list_has(char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

void tally_free(struct tally *t)
{
	for (int i = 0; i < t->nlisted_checks; i++)
		free(t->listed_checks[i]);
	for (int i = 0; i < t->nunregistered; i++)
		free(t->unregistered[i]);
	for (int i = 0; i < t->norphan_units; i++)
		free(t->orphan_units[i]);
	memset(t, 0, sizeof(*t));
}

/* ---- a worker's tally as W records ----------------------------------------- */

void message_write(int fd, int n, const char *const *fields)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	stream_write(f, 'W', n, fields);
	fclose(f);
	for (size_t off = 0; buf && off < len;) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(buf);
}

void tally_file(struct tally *t, enum file_status st, long long records, long long loaded,
                long long rejected, long long bytes)
{
	t->files_seen++;
	t->rows_read += records;
	t->rows_rejected += rejected;
	if (st == ST_LOADED) {
		t->files_loaded++;
		t->rows_loaded += loaded;
	} else if (st == ST_UNCHANGED) {
		t->files_unchanged++;
	} else if (st == ST_SKIPPED) {
		t->files_skipped++;
	} else {
		t->files_rejected++;
		t->any_reject = true;
	}
	if (rejected > 0)
		t->any_reject = true;
	progress_add(1, records, bytes);
}

void tally_write(const struct tally *t, int fd)
{
	char v[2][24];

	for (int i = 0; i < t->nlisted_checks; i++)
		message_write(fd, 2, (const char *const[]){"check", t->listed_checks[i]});
	for (int i = 0; i < t->nunregistered; i++)
		message_write(fd, 2, (const char *const[]){"unregistered", t->unregistered[i]});
	for (int i = 0; i < t->norphan_units; i++)
		message_write(fd, 2, (const char *const[]){"unit", t->orphan_units[i]});
	snprintf(v[0], sizeof(v[0]), "%ld", t->checks_failed);
	snprintf(v[1], sizeof(v[1]), "%d", t->any_reject ? 1 : 0);
	message_write(fd, 3, (const char *const[]){"counts", v[0], v[1]});
}

static enum file_status status_of(const char *s)
{
	return strcmp(s, "loaded") == 0      ? ST_LOADED
	       : strcmp(s, "unchanged") == 0 ? ST_UNCHANGED
	       : strcmp(s, "skipped") == 0   ? ST_SKIPPED
	                                     : ST_REJECTED;
}

void tally_read(struct tally *t, const struct stream_rec *rec)
{
	const char *what = rec->nfields ? rec->field[0] : "";
	long long x[4];

	if (strcmp(what, "file") == 0 && rec->nfields == 6) {
		for (int i = 0; i < 4; i++)
			if ((x[i] = stream_count(rec->field[i + 2])) < 0)
				return;
		tally_file(t, status_of(rec->field[1]), x[0], x[1], x[2], x[3]);
	} else if (strcmp(what, "check") == 0 && rec->nfields == 2) {
		list_add(t->listed_checks, &t->nlisted_checks, rec->field[1]);
	} else if (strcmp(what, "unregistered") == 0 && rec->nfields == 2) {
		if (!list_has(t->unregistered, t->nunregistered, rec->field[1]))
			list_add(t->unregistered, &t->nunregistered, rec->field[1]);
	} else if (strcmp(what, "unit") == 0 && rec->nfields == 2) {
		if (!list_has(t->orphan_units, t->norphan_units, rec->field[1]))
			list_add(t->orphan_units, &t->norphan_units, rec->field[1]);
	} else if (strcmp(what, "counts") == 0 && rec->nfields == 3) {
		if ((x[0] = stream_count(rec->field[1])) < 0 ||
		    (x[1] = stream_count(rec->field[2])) < 0)
			return;
		t->checks_failed += (long)x[0];
		t->any_reject |= x[1] != 0;
	}
}

/* ---- the summary -------------------------------------------------------------- */

void summary_print(const struct run *r, int code)
{
	const struct tally *n = &r->t;
	bool quiet = r->o->quiet, dry = r->o->dry_run;
	char skipped[64] = "";

	if (n->files_skipped)
		snprintf(skipped, sizeof(skipped), ", %ld skipped (tables not loaded, not errors)",
		         n->files_skipped);
	if (!quiet) {
		printf(
		    "%s%ld files: %ld %s, %ld unchanged, %ld rejected%s; rows: %lld read, %lld %s, "
		    "%lld rejected\n",
		    dry ? "dry run (nothing written): " : "", n->files_seen, n->files_loaded,
		    dry ? "would load" : "loaded", n->files_unchanged, n->files_rejected, skipped,
		    n->rows_read, n->rows_loaded, dry ? "would load" : "loaded", n->rows_rejected);
		for (int i = 0; i < n->nunregistered; i++) {
			char safe[CONFIG_NAME_MAX * 4];

			printf("unregistered department (default region and unit type, add it to "
			       "config/departments.csv): %s\n",
			       text_escape_controls(n->unregistered[i], safe, sizeof(safe)));
		}
		for (int i = 0; i < n->norphan_units; i++) {
			char safe[CONFIG_NAME_MAX * 4];

			printf(
			    "unit without a parent department (its tables are counted in every "
			    "cross-department sum; give its parent_code in config/departments.csv "
			    "if its department publishes consolidated tables): %s\n",
			    text_escape_controls(n->orphan_units[i], safe, sizeof(safe)));
		}
	}
	if (n->checks_failed) {
		FILE *out = quiet ? stderr : stdout;

		fprintf(out, "%ld failed check%s%s:\n", n->checks_failed,
		        n->checks_failed == 1 ? "" : "s",
		        r->o->strict ? " (--strict-checks: their submissions were rejected)" : "");
		for (int i = 0; i < n->nlisted_checks; i++) {
			char safe[4096];

			/* names from files: a newline in one must not forge a line */
			fprintf(out, "  %s\n",
			        text_escape_controls(n->listed_checks[i], safe, sizeof(safe)));
		}
		if (n->checks_failed > n->nlisted_checks)
			fprintf(out, "  ... and %ld more (etl.checks)\n",
			        n->checks_failed - n->nlisted_checks);
	}
	if (!quiet)
		printf("exit %d\n", code);
	fflush(stdout);
}

/* ---- progress on stderr, when it is a terminal --------------------------------- */

double now_seconds(void)
{
	struct timespec ts;

	/* the one use of floating point in etl/: time, never an amount */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct {
	bool draw; /* this process draws the bar */
	bool tty;  /* stderr is a terminal: clear the bar before other lines */
	long total_files;
	long long total_bytes;
	long files;
	long long rows, bytes;
	double start, last;
} prog;

void progress_setup(bool tty, long total_files, long long total_bytes)
{
	memset(&prog, 0, sizeof(prog));
	prog.tty = prog.draw = tty;
	prog.total_files = total_files;
	prog.total_bytes = total_bytes;
	prog.start = prog.last = now_seconds();
	log_set_clear_hook(tty ? progress_clear : NULL);
}

void progress_show(bool final)
{
	double now = now_seconds(), el, frac, mbs;
	char bar[24], eta[32] = "--:--";
	int k;

	if (!prog.draw || (!final && now - prog.last < 0.25))
		return;
	prog.last = now;
	el = now - prog.start;
	mbs = el > 0 ? (double)prog.bytes / 1e6 / el : 0;
	frac = prog.total_bytes > 0   ? (double)prog.bytes / (double)prog.total_bytes
	       : prog.total_files > 0 ? (double)prog.files / (double)prog.total_files
	                              : 0;
	if (frac > 1)
		frac = 1;
	if (frac > 0.001 && prog.total_files > 0) {
		long s = (long)(el / frac - el + 0.5);

		snprintf(eta, sizeof(eta), "%ld:%02ld", s / 60, s % 60);
	}
	k = (int)(frac * 20);
	for (int i = 0; i < 20; i++)
		bar[i] = i < k ? '#' : '.';
	bar[20] = '\0';
	if (prog.total_files > 0)
		fprintf(stderr, "\r[%s] %ld/%ld files, %lld rows, %.1f MB/s, ETA %s\033[K", bar,
		        prog.files, prog.total_files, prog.rows, mbs, final ? "0:00" : eta);
	else
		fprintf(stderr, "\r%ld files, %lld rows, %.1f MB/s\033[K", prog.files, prog.rows,
		        mbs);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

void progress_clear(void)
{
	if (prog.tty)
		fputs("\r\033[K", stderr);
}

bool progress_tty(void)
{
	return prog.tty;
}

void progress_add(long files, long long rows, long long bytes)
{
	prog.files += files;
	prog.rows += rows;
	prog.bytes += bytes;
	progress_show(false);
}

void progress_stop_drawing(void)
{
	prog.draw = false;
}

void progress_finish(void)
{
	if (prog.draw && prog.files)
		progress_show(true);
	prog.draw = prog.tty = false;
	log_set_clear_hook(NULL);
}
