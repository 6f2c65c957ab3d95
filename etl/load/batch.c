/*
 * batch: tables waiting for their transaction.  A batch is written in one
 * transaction when it reaches any of BATCH_FILES files, BATCH_BYTES of COPY
 * text or BATCH_SECONDS since its first file (README "Performance"), and
 * never holds the same table twice.  Each table is still replaced whole or
 * not at all; when the server refuses a value of some table, the batch is
 * written again one table per transaction and that table is rejected.
 *
 * Overlap (batch_overlap): a writer thread writes batch N on the sink's
 * connection while the reader reads and builds batch N+1; the reader's
 * ledger asks a second connection.  At most one batch is in flight: a flush
 * waits for the one before, and a table met again while its earlier version
 * is in flight waits for it too, so versions commit in stream order and
 * "unchanged" compares with what is committed.  The writer only writes: the
 * reader counts the batch's files, prints what they became and stops the
 * run on a database failure, once the batch is settled.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"

#define BATCH_FILES   500
#define BATCH_BYTES   ((size_t)8 << 20)
#define BATCH_SECONDS 2.0
#define BATCH_KEEP    ((size_t)16 << 20) /* larger buffers are given back after a batch */

struct pgw_buf *batch_rows(struct batch *b, enum batch_rows which)
{
	return &b->rows[which];
}

size_t *file_range(struct file_state *f, enum batch_rows which)
{
	return which == ROWS_FACTS      ? f->facts_at
	       : which == ROWS_PROJECTS ? f->projects_at
	                                : f->indicators_at;
}

/* The batch's clock starts with its first file or check. */
void batch_touch(struct batch *b)
{
	if (b->n == 0 && b->checks.len == 0 && b->rows[ROWS_FACTS].len == 0)
		b->started = now_seconds();
}

/* Forget the batch's files and rows (after its commit or rollback). */
static void batch_clear(struct batch *b)
{
	for (int i = 0; i < b->n; i++)
		file_state_free(&b->f[i]);
	b->n = 0;
	for (int w = 0; w < ROWS_N; w++) {
		pgw_buf_reset(&b->rows[w]);
		if (b->rows[w].cap > BATCH_KEEP)
			pgw_buf_free(&b->rows[w]);
	}
	pgw_buf_reset(&b->checks);
	if (b->checks.cap > BATCH_KEEP)
		pgw_buf_free(&b->checks);
}

void batch_free(struct batch *b)
{
	batch_clear(b);
	for (int w = 0; w < ROWS_N; w++)
		pgw_buf_free(&b->rows[w]);
	pgw_buf_free(&b->checks);
	free(b->f);
	memset(b, 0, sizeof(*b));
}

static size_t batch_bytes(const struct batch *b)
{
	size_t n = b->checks.len;

	for (int w = 0; w < ROWS_N; w++)
		n += b->rows[w].len;
	return n;
}

static bool same_table(const struct file_state *a, char *const *f)
{
	return strcmp(a->field[F_YEAR], f[F_YEAR]) == 0 &&
	       strcmp(a->field[F_DEPT], f[F_DEPT]) == 0 &&
	       strcmp(a->field[F_STAGE], f[F_STAGE]) == 0 &&
	       strcmp(a->field[F_KIND], f[F_KIND]) == 0;
}

/*
 * Should the batch be written before the file of F fields f starts?  When it
 * is full or old, or already replaces the same table (a table is replaced
 * once per transaction, in stream order).
 */
bool batch_due(const struct batch *b, char *const *f)
{
	if (b->n == 0 && b->checks.len == 0)
		return false;
	if (b->n >= BATCH_FILES || batch_bytes(b) >= BATCH_BYTES ||
	    now_seconds() - b->started >= BATCH_SECONDS)
		return true;
	for (int i = 0; i < b->n; i++)
		if (b->f[i].st == ST_LOADED && same_table(&b->f[i], f))
			return true;
	return false;
}

/* The replacement of every loaded table of files [from, to), by submission. */
static int replace_tables(struct sink *s, int from, int to, const long long *ids, bool *loaded,
                          struct etl_err *err)
{
	struct batch *b = &s->b;
	int rc = 0;

	for (int i = from; rc == 0 && i < to; i++) {
		const struct file_state *f = &b->f[i];
		bool first = true;

		if (f->st != ST_LOADED)
			continue;
		*loaded = true;
		for (int j = from; j < i && first; j++)
			first = !(b->f[j].st == ST_LOADED && same_submission(&b->f[j], f));
		if (!first)
			continue;
		if (!dept_find(&s->run->reg, f->field[F_DEPT]))
			rc = store_register_department(s, f, err);
		if (rc == 0)
			rc = store_replace_group(s, i, to, ids, from, err);
	}
	return rc;
}

/*
 * One transaction for files [from, to) of the batch (and its checks when
 * asked): their etl.files rows and rejects, and for each loaded file the
 * replacement of its table.  Rolls back on any failure.
 */
static int write_files(struct sink *s, int from, int to, bool checks, struct etl_err *err)
{
	long long *ids = calloc((size_t)(to - from) + 1, sizeof(long long));
	bool loaded = false;
	int rc =
	    ids ? pgw_begin(s->w, err) : etl_fail(err, "out_of_memory", 0, NULL, "out of memory");

	if (rc == 0 && to > from)
		rc = store_file_ids(s, to - from, ids, err);
	if (rc == 0 && to > from)
		rc = store_files(s, from, to, ids, err);
	if (rc == 0)
		rc = replace_tables(s, from, to, ids, &loaded, err);
	for (int w = 0; rc == 0 && w < ROWS_N; w++)
		rc = store_rows(s, w, from, to, ids, err);
	if (rc == 0 && loaded)
		rc = store_years(s, from, to, err);
	if (rc == 0)
		rc = store_rejects_checks(s, from, to, checks, err);
	/* once a sink: the flag stays until the run's refresh clears it */
	if (rc == 0 && loaded && !s->refresh_marked)
		rc = pgw_mark_refresh(s->w, "load", "{}", err); /* the years: store_years */
	if (rc == 0 && got_signal)
		rc = etl_fail(err, "interrupted", 0, NULL, "interrupted");
	if (rc == 0)
		rc = pgw_commit(s->w, err);
	if (rc < 0)
		pgw_rollback(s->w);
	else if (loaded)
		s->refresh_marked = true;
	free(ids);
	return rc;
}

/* The state of overlapped writing. */
struct flight {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum { FLIGHT_IDLE, FLIGHT_BUSY, FLIGHT_STOP } state;
	struct sink ws;     /* the writer's sink: its batch is the one in flight */
	int rc;             /* of the last batch written */
	struct etl_err err; /* why it failed */
};

/* The batch again one table per transaction, after the server refused a value. */
static int write_one_by_one(struct sink *s, struct etl_err *err)
{
	struct batch *b = &s->b;

	etl_err_clear(err);
	if (write_files(s, 0, 0, true, err) < 0)
		return -1;
	for (int i = 0; i < b->n; i++) {
		struct file_state *f = &b->f[i];

		etl_err_clear(err);
		if (write_files(s, i, i + 1, false, err) == 0)
			continue;
		if (got_signal || strcmp(err->reason, "db_data") != 0)
			return -1;
		/* the server refused a value: the table is rejected, the run goes on */
		sink_reject(s, f, "0", "", "load_failed", err->message, "");
		f->st = ST_REJECTED;
		etl_err_clear(err);
		if (f->rejects.oom)
			return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
		if (write_files(s, i, i + 1, false, err) < 0)
			return -1;
	}
	return 0;
}

/* Write s's batch (any thread that owns s's connection); 0 or -1 with err. */
static int write_batch(struct sink *s, struct etl_err *err)
{
	struct batch *b = &s->b;

	etl_err_clear(err);
	if (write_files(s, 0, b->n, true, err) == 0)
		return 0;
	if (got_signal || strcmp(err->reason, "db_data") != 0)
		return -1;
	return write_one_by_one(s, err);
}

/* After a batch of s's (reader) was written into x: count and print its files, clear it. */
static int settled(struct sink *s, struct sink *x, int rc, const struct etl_err *err)
{
	if (x->any_rejected)
		s->run->t.any_reject = true;
	x->any_rejected = false;
	s->refresh_marked |= x->refresh_marked;
	x->refresh_marked = s->refresh_marked;
	if (rc < 0) {
		s->db_broken = true;
		return run_db_fail_on(s->run, s->w, err);
	}
	for (int i = 0; i < x->b.n; i++)
		sink_file_done(s, &x->b.f[i]);
	batch_clear(&x->b);
	ledger_clear(&s->ledger);
	return 0;
}

static void *writer_main(void *arg)
{
	struct flight *fl = arg;
	sigset_t all;

	/* signals go to the reader, whose read they must interrupt */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&fl->mu);
	for (;;) {
		while (fl->state == FLIGHT_IDLE)
			pthread_cond_wait(&fl->cv, &fl->mu);
		if (fl->state == FLIGHT_STOP)
			break;
		pthread_mutex_unlock(&fl->mu);
		fl->rc = write_batch(&fl->ws, &fl->err);
		pthread_mutex_lock(&fl->mu);
		fl->state = FLIGHT_IDLE;
		pthread_cond_broadcast(&fl->cv);
	}
	pthread_mutex_unlock(&fl->mu);
	return NULL;
}

int batch_overlap(struct sink *s, const char *dsn)
{
	struct flight *fl;
	struct etl_err err;

	if (s->flight || s->o->dry_run)
		return 0;
	etl_err_clear(&err);
	if (pgw_connect_as(&s->rconn, dsn, "budget-etl load (reader)", &err) < 0 ||
	    pgw_set_lock_timeout(&s->rconn, s->run->cfg.lock_timeout, &err) < 0) {
		log_warn("batches are written one after the other: %s", err.message);
		pgw_close(&s->rconn);
		return -1;
	}
	if (!(fl = calloc(1, sizeof(*fl)))) {
		pgw_close(&s->rconn);
		return -1;
	}
	pthread_mutex_init(&fl->mu, NULL);
	pthread_cond_init(&fl->cv, NULL);
	fl->state = FLIGHT_IDLE;
	fl->ws.run = s->run;
	fl->ws.o = s->o;
	fl->ws.w = s->w;
	fl->ws.lw = s->w;
	fl->ws.msgfd = -1;
	fl->ws.is_writer = true;
	if (pthread_create(&fl->thread, NULL, writer_main, fl) != 0) {
		pthread_mutex_destroy(&fl->mu);
		pthread_cond_destroy(&fl->cv);
		free(fl);
		pgw_close(&s->rconn);
		return -1;
	}
	s->flight = fl;
	s->lw = &s->rconn;
	return 0;
}

int batch_settle(struct sink *s)
{
	struct flight *fl = s->flight;
	int rc;

	if (!fl)
		return 0;
	pthread_mutex_lock(&fl->mu);
	while (fl->state == FLIGHT_BUSY)
		pthread_cond_wait(&fl->cv, &fl->mu);
	pthread_mutex_unlock(&fl->mu);
	if (fl->ws.b.n == 0 && fl->ws.b.checks.len == 0)
		return 0;
	rc = settled(s, &fl->ws, fl->rc, &fl->err);
	fl->rc = 0;
	if (rc < 0)
		batch_clear(&fl->ws.b);
	return rc;
}

bool batch_in_flight(const struct sink *s, char *const *f)
{
	const struct batch *b = s->flight ? &s->flight->ws.b : NULL;

	for (int i = 0; b && i < b->n; i++)
		if (b->f[i].st == ST_LOADED && same_table(&b->f[i], f))
			return true;
	return false;
}

void batch_overlap_end(struct sink *s)
{
	struct flight *fl = s->flight;

	if (!fl)
		return;
	batch_settle(s);
	pthread_mutex_lock(&fl->mu);
	fl->state = FLIGHT_STOP;
	pthread_cond_broadcast(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
	pthread_join(fl->thread, NULL);
	batch_free(&fl->ws.b);
	pthread_mutex_destroy(&fl->mu);
	pthread_cond_destroy(&fl->cv);
	free(fl);
	s->flight = NULL;
	pgw_close(&s->rconn);
	s->lw = s->w;
}

int batch_flush(struct sink *s)
{
	struct batch *b = &s->b, held;
	struct flight *fl = s->flight;
	struct etl_err err;

	if (b->n == 0 && b->checks.len == 0)
		return 0;
	if (!fl) { /* written here and now */
		int rc = write_batch(s, &err);

		return settled(s, s, rc, &err);
	}
	if (batch_settle(s) < 0)
		return -1;
	/* the filled batch goes to the writer, its emptied buffers come back */
	held = fl->ws.b;
	fl->ws.b = *b;
	*b = held;
	fl->ws.refresh_marked = s->refresh_marked;
	pthread_mutex_lock(&fl->mu);
	fl->state = FLIGHT_BUSY;
	pthread_cond_broadcast(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
	return 0;
}
