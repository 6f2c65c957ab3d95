/*
 * pipeline: `extract PATH... | normalize` as two children of load, their
 * stream read by a sink, and the exit code of a run from its own state and
 * the children's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load.h"
#include "log.h"

struct pipeline {
	pid_t pid[2]; /* extract, normalize; 0 when not running */
	FILE *out;    /* normalize's stdout */
};

/* In the child: become prog with argv, stdin/stdout as given. */
static void exec_child(const char *bindir, const char *prog, char **argv, int in, int out,
                       int close_fd)
{
	char path[PATH_MAX];

	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(EX_OSERR);
	if (dup2(out, 1) < 0)
		_exit(EX_OSERR);
	if (in >= 0)
		close(in);
	close(out);
	if (close_fd >= 0)
		close(close_fd);
	snprintf(path, sizeof(path), "%s/%s", bindir, prog);
	execv(path, argv);
	fprintf(stderr, "load: cannot run %s: %s\n", path, strerror(errno));
	_exit(EX_SOFTWARE);
}

/* Arguments of normalize: what load passes through. */
static char **normalize_argv(const struct opts *o, char *argv[5])
{
	int n = 0;

	argv[n++] = (char *)"normalize";
	if (o->strict)
		argv[n++] = (char *)"--strict-checks";
	if (o->config_dir_opt) {
		argv[n++] = (char *)"--config-dir";
		argv[n++] = (char *)o->config_dir_opt;
	}
	argv[n] = NULL;
	return argv;
}

/* Arguments of extract: the PATHs, or --files0-from - when listfd >= 0. */
static char **extract_argv(const struct opts *o, int listfd)
{
	char **argv = calloc((size_t)o->npaths + 6, sizeof(char *));
	int n = 0;

	if (!argv)
		return NULL;
	argv[n++] = (char *)"extract";
	if (o->config_dir_opt) {
		argv[n++] = (char *)"--config-dir";
		argv[n++] = (char *)o->config_dir_opt;
	}
	if (listfd >= 0) {
		argv[n++] = (char *)"--files0-from";
		argv[n++] = (char *)"-";
	} else {
		argv[n++] = (char *)"--";
		memcpy(argv + n, o->paths, (size_t)o->npaths * sizeof(char *));
	}
	return argv;
}

/*
 * Start extract and normalize; returns 0, or -1.  listfd >= 0: extract reads
 * its files from it (NUL-terminated paths) instead of the PATHs.
 */
static int pipeline_start(struct pipeline *p, const struct opts *o, int listfd)
{
	int a[2], b[2];
	char **xargv = extract_argv(o, listfd);

	memset(p, 0, sizeof(*p));
	if (!xargv || pipe(a) < 0) {
		free(xargv);
		return -1;
	}
	if (pipe(b) < 0) {
		close(a[0]);
		close(a[1]);
		free(xargv);
		return -1;
	}
	/* room for a submission or two ahead of the reader */
	fcntl(a[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(b[1], F_SETPIPE_SZ, 1 << 20);
	fflush(NULL);
	if ((p->pid[0] = fork()) == 0) {
		close(a[0]);
		close(b[0]);
		close(b[1]);
		exec_child(o->bindir, "extract", xargv, listfd, a[1], -1);
	}
	if (p->pid[0] > 0 && (p->pid[1] = fork()) == 0) {
		char *nargv[5];

		close(a[1]);
		exec_child(o->bindir, "normalize", normalize_argv(o, nargv), a[0], b[1], b[0]);
	}
	free(xargv);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	p->out = p->pid[0] > 0 && p->pid[1] > 0 ? fdopen(b[0], "r") : NULL;
	if (!p->out)
		close(b[0]);
	else
		stream_buffer(p->out);
	return p->out ? 0 : -1;
}

/* Exit code of a finished child (a signal other than ours counts as 70). */
static int child_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EX_SOFTWARE;
}

/* Close normalize's output, stop the children if asked, and collect their codes. */
static void pipeline_wait(struct pipeline *p, bool kill_them, int code[2])
{
	if (p->out)
		fclose(p->out);
	p->out = NULL;
	for (int i = 0; i < 2; i++) {
		int status = 0;

		code[i] = 0;
		if (p->pid[i] <= 0)
			continue;
		if (kill_them)
			kill(p->pid[i], SIGTERM);
		while (waitpid(p->pid[i], &status, 0) < 0 && errno == EINTR)
			;
		code[i] = child_code(status);
		p->pid[i] = 0;
	}
}

int pipeline_load(struct sink *s, int listfd, int child[2])
{
	struct pipeline p;

	if (pipeline_start(&p, s->o, listfd) < 0) {
		int ignored[2];

		run_stop(s->run, EX_OSERR, "cannot start extract | normalize: %s", strerror(errno));
		pipeline_wait(&p, true, ignored);
		return -1;
	}
	sink_read_stream(s, p.out);
	/* stopped early: the children must not wait on a reader that is gone */
	pipeline_wait(&p, got_signal || s->run->fatal, child);
	return 0;
}

/*
 * A fatal stop of load wins (unless the stream broke because a child
 * failed), then a child's own failure (extract first: 64, 66, 78 ...), then
 * 65 if anything was rejected.
 */
int merge_codes(const struct run *r, bool stream_broken, const int child[2])
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 2; i++) {
			int c = child[i];

			if (c == EX_OK || c == EX_DATAERR)
				continue;
			if (pass == 0 && !(r->fatal && stream_broken))
				continue;
			if (pass == 1 && r->fatal)
				continue;
			return c == EX_USAGE || c == EX_NOINPUT || c == EX_CONFIG ||
			               c == EX_UNAVAILABLE || c == EX_SOFTWARE
			           ? c
			           : EX_SOFTWARE;
		}
	if (r->fatal)
		return r->fatal;
	if (r->t.any_reject || child[0] == EX_DATAERR || child[1] == EX_DATAERR)
		return EX_DATAERR;
	return EX_OK;
}
