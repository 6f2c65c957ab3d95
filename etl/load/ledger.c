/*
 * ledger: what "unchanged" compares with.  A file is unchanged when its
 * sha256 equals that of the loaded version of its table (year, department,
 * stage, kind) in etl.loaded_tables.  The loaded tables of a submission are
 * read with one query and kept until the batch is written (a table met
 * twice makes the batch be written first, so the cache never goes stale).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

void ledger_clear(struct ledger *l)
{
	l->nknown = 0;
	l->nfetched = 0;
}

void ledger_free(struct ledger *l)
{
	free(l->known);
	free(l->fetched);
	memset(l, 0, sizeof(*l));
}

static bool fetched(const struct ledger *l, int year, const char *dept)
{
	for (int i = 0; i < l->nfetched; i++)
		if (l->fetched[i].year == year && strcmp(l->fetched[i].dept, dept) == 0)
			return true;
	return false;
}

/* Read the loaded tables of (year, dept) into the ledger. */
static int fetch(struct sink *s, const struct file_state *f, struct etl_err *err)
{
	struct ledger *l = &s->ledger;
	const char *const p[] = {f->field[F_YEAR], f->field[F_DEPT]};
	PGresult *res;

	if (pgw_exec(s->lw,
	             "SELECT stage, table_kind, sha256 FROM etl.loaded_tables"
	             " WHERE fiscal_year = $1 AND dept_code = $2",
	             2, p, &res, err) < 0)
		return -1;
	if (l->nfetched == l->capfetched) {
		int cap = l->capfetched ? l->capfetched * 2 : 64;
		struct sub_key *nf = realloc(l->fetched, (size_t)cap * sizeof(*nf));

		if (!nf) {
			PQclear(res);
			return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
		}
		l->fetched = nf;
		l->capfetched = cap;
	}
	l->fetched[l->nfetched].year = f->year;
	snprintf(l->fetched[l->nfetched].dept, sizeof(l->fetched[0].dept), "%s", f->field[F_DEPT]);
	l->nfetched++;
	for (int i = 0; i < PQntuples(res); i++) {
		struct known_sha *k;

		if (l->nknown == l->capknown) {
			int cap = l->capknown ? l->capknown * 2 : 256;
			struct known_sha *nk = realloc(l->known, (size_t)cap * sizeof(*nk));

			if (!nk) {
				PQclear(res);
				return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
			}
			l->known = nk;
			l->capknown = cap;
		}
		k = &l->known[l->nknown++];
		k->year = f->year;
		snprintf(k->dept, sizeof(k->dept), "%s", f->field[F_DEPT]);
		snprintf(k->stage, sizeof(k->stage), "%s", PQgetvalue(res, i, 0));
		k->kind = atoi(PQgetvalue(res, i, 1));
		snprintf(k->sha, sizeof(k->sha), "%s", PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return 0;
}

int ledger_loaded_sha(struct sink *s, char *sha, size_t size, struct etl_err *err)
{
	struct ledger *l = &s->ledger;
	const struct file_state *f = &s->f;

	*sha = '\0';
	if (strlen(f->field[F_DEPT]) >= sizeof(l->known[0].dept))
		/* too long to cache: asked alone */
		return pgw_query_value(s->lw,
		                       "SELECT sha256 FROM etl.loaded_tables WHERE fiscal_year = $1"
		                       " AND dept_code = $2 AND stage = $3 AND table_kind = $4",
		                       4,
		                       (const char *const[]){f->field[F_YEAR], f->field[F_DEPT],
		                                             f->field[F_STAGE], f->field[F_KIND]},
		                       sha, size, err);
	if (!fetched(l, f->year, f->field[F_DEPT]) && fetch(s, f, err) < 0)
		return -1;
	for (int i = 0; i < l->nknown; i++) {
		const struct known_sha *k = &l->known[i];

		if (k->year == f->year && k->kind == f->kind &&
		    strcmp(k->dept, f->field[F_DEPT]) == 0 &&
		    strcmp(k->stage, f->field[F_STAGE]) == 0) {
			snprintf(sha, size, "%s", k->sha);
			break;
		}
	}
	return 0;
}
