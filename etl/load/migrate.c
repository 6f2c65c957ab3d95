#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SCRIPT_MAX (16L << 20)

/* A file of sql/migrations or sql/views: its name, text and checksum. */
struct script {
	char name[256]; /* without .sql */
	char *text;     /* owned */
	char sha[65];
};

struct scripts {
	struct script *v;
	size_t n, cap;
};

static void scripts_free(struct scripts *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].text);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void to_hex(const unsigned char *d, unsigned n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
	to_hex(d, n, hex);
}

/* The whole file as a NUL-terminated string (caller frees), or NULL. */
static char *slurp(const char *path, size_t *len, struct etl_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n = -1;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= SCRIPT_MAX &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		fclose(f);
		*len = (size_t)n;
		return buf;
	}
	if (f)
		fclose(f);
	free(buf);
	etl_fail(err, "bad_config", 0, NULL, "%s: cannot read: %s", path,
	         n > SCRIPT_MAX ? "larger than 16 MB" : strerror(errno));
	return NULL;
}

int migrate_file_sha256(const char *path, char hex[65], struct etl_err *err)
{
	size_t len;
	char *text = slurp(path, &len, err);

	if (!text)
		return -1;
	sha256_hex(text, len, hex);
	free(text);
	return 0;
}

/* A script file name: a leading digit and the .sql suffix. */
static bool is_script(const char *name)
{
	size_t n = strlen(name);

	return name[0] >= '0' && name[0] <= '9' && n > 4 && n < 250 &&
	       strcmp(name + n - 4, ".sql") == 0;
}

static int cmp_script(const void *a, const void *b)
{
	return strcmp(((const struct script *)a)->name, ((const struct script *)b)->name);
}

/* Every script of dir (regular files only), read and hashed, in name order. */
static int read_scripts(const char *dir, bool required, struct scripts *out, struct etl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		if (!required && errno == ENOENT)
			return 0;
		return etl_fail(err, "bad_config", 0, NULL, "%s: cannot open: %s", dir,
		                strerror(errno));
	}
	while (rc == 0 && (e = readdir(d))) {
		char path[4096];
		struct stat st;
		struct script *s;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!is_script(e->d_name) || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 16;
			struct script *nv = realloc(out->v, cap * sizeof(*nv));

			if (!nv) {
				rc = etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
				break;
			}
			out->v = nv;
			out->cap = cap;
		}
		s = &out->v[out->n];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%.*s", (int)(strlen(e->d_name) - 4), e->d_name);
		if (!(s->text = slurp(path, &len, err))) {
			rc = -1;
			break;
		}
		sha256_hex(s->text, len, s->sha);
		out->n++;
	}
	closedir(d);
	if (rc == 0 && out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_script);
	return rc;
}

/* Create the two record tables when missing (a pre-checksum one gains columns). */
static int ensure_records(struct pgw *w, struct etl_err *err)
{
	static const char *const ddl[] = {
	    "CREATE SCHEMA IF NOT EXISTS etl",
	    "CREATE TABLE IF NOT EXISTS etl.schema_migrations ("
	    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
	    "ALTER TABLE etl.schema_migrations ADD COLUMN IF NOT EXISTS sha256 text",
	    "ALTER TABLE etl.schema_migrations ADD COLUMN IF NOT EXISTS checksum_origin text"
	    " CHECK (checksum_origin IN ('applied', 'adopted'))",
	    "CREATE TABLE IF NOT EXISTS etl.schema_repeatables ("
	    " name text PRIMARY KEY, sha256 text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())",
	};
	PGresult *r;
	char v[8];
	bool ready;

	/* the usual case needs no DDL, and a role without CREATE can still load */
	if (pgw_query_value(w,
	                    "SELECT count(*) = 3 FROM pg_attribute"
	                    " WHERE attrelid IN (to_regclass('etl.schema_migrations'),"
	                    " to_regclass('etl.schema_repeatables'))"
	                    " AND attname IN ('sha256', 'checksum_origin') AND NOT attisdropped",
	                    0, NULL, v, sizeof(v), err) < 0)
		return -1;
	ready = strcmp(v, "t") == 0;
	for (size_t i = 0; !ready && i < sizeof(ddl) / sizeof(ddl[0]); i++)
		if (pgw_exec(w, ddl[i], 0, NULL, &r, err) < 0)
			return -1;
		else
			PQclear(r);
	return 0;
}

/* What etl.schema_migrations says of one version. */
struct applied {
	char version[256];
	char sha[65]; /* "" before checksums */
	bool adopted;
};

static int read_applied(struct pgw *w, struct applied **out, int *n, struct etl_err *err)
{
	PGresult *r;

	if (pgw_exec(w,
	             "SELECT version, coalesce(sha256, ''), coalesce(checksum_origin, '')"
	             " FROM etl.schema_migrations ORDER BY version",
	             0, NULL, &r, err) < 0)
		return -1;
	*n = PQntuples(r);
	*out = calloc((size_t)*n + 1, sizeof(**out));
	if (!*out) {
		PQclear(r);
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	}
	for (int i = 0; i < *n; i++) {
		snprintf((*out)[i].version, sizeof((*out)[i].version), "%s", PQgetvalue(r, i, 0));
		snprintf((*out)[i].sha, sizeof((*out)[i].sha), "%s", PQgetvalue(r, i, 1));
		(*out)[i].adopted = strcmp(PQgetvalue(r, i, 2), "applied") != 0;
	}
	PQclear(r);
	return 0;
}

static const struct applied *find_applied(const struct applied *a, int n, const char *version)
{
	for (int i = 0; i < n; i++)
		if (strcmp(a[i].version, version) == 0)
			return &a[i];
	return NULL;
}

/* Apply one migration in its own transaction and record it with its checksum. */
static int apply_migration(struct pgw *w, const struct script *s, struct etl_err *err)
{
	const char *const p[] = {s->name, s->sha};
	char what[300];

	snprintf(what, sizeof(what), "migrations/%s.sql", s->name);
	if (pgw_begin(w, err) < 0)
		return -1;
	if (pgw_exec_script(w, s->text, what, err) < 0 ||
	    pgw_exec(w,
	             "INSERT INTO etl.schema_migrations (version, sha256, checksum_origin)"
	             " VALUES ($1, $2, 'applied')",
	             2, p, NULL, err) < 0 ||
	    pgw_commit(w, err) < 0) {
		pgw_rollback(w);
		return -1;
	}
	return 0;
}

/* Record the checksum of a migration applied before checksums existed. */
static int adopt(struct pgw *w, const struct script *s, struct etl_err *err)
{
	const char *const p[] = {s->name, s->sha};

	return pgw_exec(w,
	                "UPDATE etl.schema_migrations SET sha256 = $2,"
	                " checksum_origin = 'adopted' WHERE version = $1 AND sha256 IS NULL",
	                2, p, NULL, err);
}

static int migrations(struct pgw *w, const struct scripts *m, struct migrate_result *res,
                      struct etl_err *err)
{
	struct applied *a = NULL;
	int na = 0, rc;
	const char *last_checked = ""; /* highest version applied with its checksum */

	if ((rc = read_applied(w, &a, &na, err)) < 0)
		return -1;
	for (int i = 0; i < na; i++)
		if (!a[i].adopted && *a[i].sha && strcmp(a[i].version, last_checked) > 0)
			last_checked = a[i].version;
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		const struct script *s = &m->v[i];
		const struct applied *done = find_applied(a, na, s->name);

		if (done && !*done->sha) {
			if ((rc = adopt(w, s, err)) == 0)
				res->adopted++;
		} else if (done && strcmp(done->sha, s->sha) != 0) {
			rc = etl_fail(
			    err, "bad_config", 0, NULL,
			    "sql/migrations/%s.sql was changed after it was applied to this "
			    "database (sha256 %.12s… recorded, %.12s… now): migrations are "
			    "append-only; restore the file and put the change in a new "
			    "migration",
			    s->name, done->sha, s->sha);
		} else if (!done && strcmp(s->name, last_checked) < 0) {
			rc = etl_fail(
			    err, "bad_config", 0, NULL,
			    "sql/migrations/%s.sql is new but sorts before %s.sql, which this "
			    "database has applied: it would run out of order; give it a "
			    "number after the last one",
			    s->name, last_checked);
		} else if (!done) {
			if ((rc = apply_migration(w, s, err)) == 0)
				res->applied++;
		}
	}
	free(a);
	return rc;
}

/* Does any view file differ from what etl.schema_repeatables recorded? */
static int views_changed(struct pgw *w, const struct scripts *v, bool *changed, struct etl_err *err)
{
	PGresult *r;
	int n;

	if (pgw_exec(w, "SELECT name, sha256 FROM etl.schema_repeatables ORDER BY name", 0, NULL,
	             &r, err) < 0)
		return -1;
	n = PQntuples(r);
	*changed = (size_t)n != v->n;
	for (int i = 0; !*changed && i < n; i++)
		*changed = strcmp(PQgetvalue(r, i, 0), v->v[i].name) != 0 ||
		           strcmp(PQgetvalue(r, i, 1), v->v[i].sha) != 0;
	PQclear(r);
	return 0;
}

/* Every view file in one transaction, then their checksums. */
static int apply_views(struct pgw *w, const struct scripts *v, struct etl_err *err)
{
	int rc = pgw_begin(w, err);

	if (rc == 0)
		rc = pgw_exec(w, "DELETE FROM etl.schema_repeatables", 0, NULL, NULL, err);
	for (size_t i = 0; rc == 0 && i < v->n; i++) {
		char what[300];
		const char *const p[] = {v->v[i].name, v->v[i].sha};

		snprintf(what, sizeof(what), "views/%s.sql", v->v[i].name);
		rc = pgw_exec_script(w, v->v[i].text, what, err);
		if (rc == 0)
			rc = pgw_exec(
			    w, "INSERT INTO etl.schema_repeatables (name, sha256) VALUES ($1, $2)",
			    2, p, NULL, err);
	}
	if (rc == 0)
		rc = pgw_commit(w, err);
	if (rc < 0)
		pgw_rollback(w);
	return rc;
}

/* Add the "use a privileged role" hint to a permission failure. */
static int denied_hint(struct etl_err *err)
{
	char msg[ETL_ERR_MSG];

	if (strcmp(err->reason, "db_denied") != 0)
		return -1;
	snprintf(msg, sizeof(msg),
	         "%.300s; the schema needs changes only a privileged role may make: run "
	         "./run.sh migrate (with --dsn for such a role)",
	         err->message);
	snprintf(err->message, sizeof(err->message), "%s", msg);
	return -1;
}

int migrate_run(struct pgw *w, const char *sql_dir, struct migrate_result *res, struct etl_err *err)
{
	struct scripts m = {0}, v = {0};
	char dir[4096];
	bool changed = false;
	int rc;

	memset(res, 0, sizeof(*res));
	snprintf(dir, sizeof(dir), "%s/migrations", sql_dir);
	rc = read_scripts(dir, true, &m, err);
	snprintf(dir, sizeof(dir), "%s/views", sql_dir);
	if (rc == 0)
		rc = read_scripts(dir, false, &v, err);
	if (rc == 0)
		rc = ensure_records(w, err);
	if (rc == 0)
		rc = migrations(w, &m, res, err);
	if (rc == 0)
		rc = views_changed(w, &v, &changed, err);
	if (rc == 0 && changed && (rc = apply_views(w, &v, err)) == 0)
		res->views_applied = true;
	scripts_free(&m);
	scripts_free(&v);
	return rc < 0 ? denied_hint(err) : 0;
}
