/*
 * workers: --jobs N.  N worker processes over disjoint departments, each
 * with its own extract | normalize and its own connection (pg_dump's
 * parallel.c model); the parent keeps the run (its row, the lock, the
 * refresh), draws the progress bar and adds up the workers' tallies, which
 * arrive as W records (stream.h) on one pipe per worker.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load.h"
#include "log.h"

#define MAX_WORKERS 64

struct worker {
	pid_t pid;
	int fd; /* W records, -1 at their end */
	char buf[8192];
	size_t len;
	int code;
};

/*
 * In the child, right after fork(): the parent's connection is not ours.
 * Its socket is closed (so that the parent's session, and its lock, end with
 * the parent) without a word on it, and its PGconn is never used.
 */
static void forget_parent_connection(struct run *r)
{
	if (r->w.conn && PQsocket(r->w.conn) >= 0)
		close(PQsocket(r->w.conn));
	if (r->lock.conn && PQsocket(r->lock.conn) >= 0)
		close(PQsocket(r->lock.conn));
	r->w.conn = r->lock.conn = NULL;
	r->connected = false;
	cancel_handle = NULL;
}

/* A worker: its own connection, extract | normalize over its files, its tally. */
static int worker_main(struct run *r, int listfd, int msgfd)
{
	struct sink s;
	const char *dsn;
	struct etl_err err;
	int child[2] = {0, 0}, code;

	forget_parent_connection(r);
	progress_stop_drawing();
	tally_free(&r->t);
	if (sink_init(&s, r, false) < 0)
		return r->fatal;
	s.msgfd = msgfd;
	etl_err_clear(&err);
	config_resolve_dsn(r->o->dsn, getenv, &r->cfg, &dsn);
	if (pgw_connect(s.w, dsn, &err) < 0) {
		log_error("worker: database unavailable: %s", err.message);
		sink_free(&s);
		return EX_UNAVAILABLE;
	}
	cancel_handle = PQgetCancel(s.w->conn);
	if (pgw_set_lock_timeout(s.w, r->cfg.lock_timeout, &err) < 0) {
		log_error("worker: %s", err.message);
		sink_free(&s);
		return db_code(&err);
	}
	batch_overlap(&s, dsn);
	if (pipeline_load(&s, listfd, child) < 0)
		code = r->fatal;
	else
		code = merge_codes(r, s.stream_broken, child);
	if (got_signal)
		code = EX_INTERRUPTED_BASE + got_signal;
	tally_write(&r->t, msgfd);
	sink_free(&s);
	return code;
}

/* Start worker k over its files; 0 or -1 (the run is stopped). */
static int worker_start(struct run *r, struct worker *w, int k, const struct filelist *l)
{
	FILE *list = tmpfile();
	int fds[2];

	w[k].fd = -1;
	if (!list || pipe(fds) < 0) {
		if (list)
			fclose(list);
		return run_stop(r, EX_OSERR, "cannot start worker %d: %s", k + 1, strerror(errno));
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].worker == k)
			fwrite(l->v[i].path, 1, strlen(l->v[i].path) + 1, list);
	fflush(list);
	rewind(list);
	fflush(NULL);
	w[k].pid = fork();
	if (w[k].pid == 0) {
		/* a worker does not outlive the run (kill -9 of load stops it too) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(EX_INTERRUPTED_BASE + SIGTERM);
		close(fds[0]);
		for (int j = 0; j < k; j++)
			if (w[j].fd >= 0)
				close(w[j].fd);
		_exit(worker_main(r, fileno(list), fds[1]));
	}
	fclose(list);
	close(fds[1]);
	if (w[k].pid < 0) {
		close(fds[0]);
		return run_stop(r, EX_OSERR, "cannot start worker %d: %s", k + 1, strerror(errno));
	}
	w[k].fd = fds[0];
	return 0;
}

/* The complete W records in a worker's buffer, handed to the tally. */
static void worker_messages(struct run *r, struct worker *x)
{
	char **fields = malloc(sizeof(char *) * STREAM_MAX_FIELDS);
	char *nl;

	while (fields && (nl = memchr(x->buf, '\n', x->len))) {
		struct stream_rec rec;
		struct etl_err err;
		size_t n = (size_t)(nl - x->buf);

		*nl = '\0';
		if (stream_parse_line(x->buf, n, 0, fields, &rec, &err) == 0 && rec.tag == 'W')
			tally_read(&r->t, &rec);
		x->len -= n + 1;
		memmove(x->buf, nl + 1, x->len);
	}
	free(fields);
	if (x->len == sizeof(x->buf) - 1)
		x->len = 0; /* a record too long: dropped (never written by a worker) */
}

/* A worker's pipe ended: collect its exit code. */
static void worker_reap(struct worker *x)
{
	int status = 0;

	close(x->fd);
	x->fd = -1;
	while (waitpid(x->pid, &status, 0) < 0 && errno == EINTR)
		;
	x->pid = 0;
	x->code = WIFEXITED(status)     ? WEXITSTATUS(status)
	          : WIFSIGNALED(status) ? EX_INTERRUPTED_BASE + WTERMSIG(status)
	                                : EX_SOFTWARE;
}

/*
 * Read the workers' records until every pipe has ended; the first worker
 * that fails stops the others (*fatal gets its code).
 */
static void workers_poll(struct run *r, struct worker *w, int n, int *fatal)
{
	bool killed = false;

	for (;;) {
		struct pollfd pf[MAX_WORKERS];
		int map[MAX_WORKERS], np = 0;

		if ((got_signal || r->fatal || *fatal) && !killed) {
			for (int k = 0; k < n; k++)
				if (w[k].pid > 0)
					kill(w[k].pid, SIGTERM);
			killed = true;
		}
		for (int k = 0; k < n; k++)
			if (w[k].fd >= 0) {
				pf[np].fd = w[k].fd;
				pf[np].events = POLLIN;
				map[np++] = k;
			}
		if (np == 0)
			break;
		if (poll(pf, (nfds_t)np, 250) < 0 && errno != EINTR)
			break;
		progress_show(false);
		for (int i = 0; i < np; i++) {
			struct worker *x = &w[map[i]];
			ssize_t got;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(x->fd, x->buf + x->len, sizeof(x->buf) - 1 - x->len);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				worker_reap(x);
				if (x->code != EX_OK && x->code != EX_DATAERR && !*fatal && !killed)
					*fatal = x->code;
				continue;
			}
			x->len += (size_t)got;
			worker_messages(r, x);
		}
	}
}

int workers_run(struct run *r, struct filelist *l, int n)
{
	struct worker *w = calloc((size_t)n, sizeof(*w));
	int fatal = 0;

	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	if (!w)
		return run_stop(r, EX_OSERR, "%s", "out of memory"), r->fatal;
	for (int k = 0; k < n; k++)
		w[k].fd = -1;
	for (int k = 0; k < n; k++)
		if (worker_start(r, w, k, l) < 0)
			break;
	workers_poll(r, w, n, &fatal);
	for (int k = 0; k < n; k++)
		if (w[k].code == EX_DATAERR)
			r->t.any_reject = true;
	free(w);
	if (fatal && !r->fatal)
		r->fatal = fatal;
	if (r->fatal)
		return r->fatal;
	return r->t.any_reject ? EX_DATAERR : EX_OK;
}
