#include "refsync.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "measure.h"
#include "refdata.h"

#define PATH_BYTES 4096

/* Relative file paths under a root, collected for hashing in a stable order. */
struct paths {
	char **v;
	size_t n, cap;
};

static void paths_free(struct paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int paths_add(struct paths *p, const char *rel)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **nv = realloc(p->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		p->v = nv;
		p->cap = cap;
	}
	if (!(p->v[p->n] = strdup(rel)))
		return -1;
	p->n++;
	return 0;
}

/* Collect the regular files under root/rel ("" at the top), recursively. */
static int walk(const char *root, const char *rel, struct paths *out, struct etl_err *err)
{
	char dir[PATH_BYTES];
	DIR *d;
	struct dirent *e;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(d = opendir(dir)))
		return errno == ENOENT && !*rel
		           ? 0
		           : etl_fail(err, "bad_config", 0, NULL, "%s: %s", dir, strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		char sub[PATH_BYTES], full[PATH_BYTES * 2];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk(root, sub, out, err);
		else if (S_ISREG(st.st_mode) && paths_add(out, sub) < 0)
			rc = etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	}
	closedir(d);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the bytes of one file to the digest. */
static int hash_file(EVP_MD_CTX *md, const char *path, struct etl_err *err)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return etl_fail(err, "bad_config", 0, NULL, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		EVP_DigestUpdate(md, buf, n);
	n = (size_t)ferror(f);
	fclose(f);
	return n ? etl_fail(err, "bad_config", 0, NULL, "%s: read error", path) : 0;
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

int refsync_hash_tree(const char *dir, char hex[65], struct etl_err *err)
{
	struct paths files = {0};
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	int rc;

	if (!md)
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	rc = walk(dir, "", &files, err);
	if (rc == 0 && files.n)
		qsort(files.v, files.n, sizeof(char *), cmp_path);
	for (size_t i = 0; rc == 0 && i < files.n; i++) {
		char full[PATH_BYTES * 2];

		EVP_DigestUpdate(md, files.v[i], strlen(files.v[i]) + 1);
		snprintf(full, sizeof(full), "%s/%s", dir, files.v[i]);
		rc = hash_file(md, full, err);
	}
	EVP_DigestFinal_ex(md, d, &n);
	EVP_MD_CTX_free(md);
	paths_free(&files);
	to_hex(d, n, hex);
	return rc;
}

/* Hash of departments.csv plus the defaults that feed dim_region. */
static int hash_departments(const char *config_dir, const struct etl_config *cfg, char hex[65],
                            struct etl_err *err)
{
	char path[PATH_BYTES];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	FILE *probe;
	int rc = 0;

	if (!md)
		return etl_fail(err, "out_of_memory", 0, NULL, "out of memory");
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	snprintf(path, sizeof(path), "%s/departments.csv", config_dir);
	if ((probe = fopen(path, "rb"))) {
		fclose(probe);
		rc = hash_file(md, path, err);
	}
	EVP_DigestUpdate(md, cfg->province, strlen(cfg->province) + 1);
	EVP_DigestUpdate(md, cfg->city, strlen(cfg->city) + 1);
	EVP_DigestUpdate(md, cfg->district, strlen(cfg->district) + 1);
	EVP_DigestUpdate(md, cfg->unit_type, strlen(cfg->unit_type) + 1);
	EVP_DigestFinal_ex(md, d, &n);
	EVP_MD_CTX_free(md);
	to_hex(d, n, hex);
	return rc;
}

/* Hash of the measure vocabulary compiled in (common/measure.def). */
static void hash_measures(char hex[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	const struct measure_info *m;

	hex[0] = '\0';
	if (!md)
		return;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (size_t i = 0; (m = measure_at(i)); i++)
		if (m->cls == MEASURE_AMOUNT) {
			EVP_DigestUpdate(md, m->key, strlen(m->key) + 1);
			EVP_DigestUpdate(md, m->name, strlen(m->name) + 1);
		}
	EVP_DigestFinal_ex(md, d, &n);
	EVP_MD_CTX_free(md);
	to_hex(d, n, hex);
}

/*
 * core.dim_measure from measure.def: every amount measure, with its Chinese
 * name (upserted: a measure no longer listed keeps its row, facts may name
 * it).
 */
static int sync_measures(struct pgw *w, struct etl_err *err)
{
	const struct measure_info *m;

	for (size_t i = 0; (m = measure_at(i)); i++) {
		const char *const p[] = {m->key, m->name};

		if (m->cls == MEASURE_AMOUNT &&
		    pgw_exec(w,
		             "INSERT INTO core.dim_measure (measure, name) VALUES ($1, $2)"
		             " ON CONFLICT (measure) DO UPDATE SET name = EXCLUDED.name",
		             2, p, NULL, err) < 0)
			return -1;
	}
	return 0;
}

/* COPY rows of the dimensions ------------------------------------------------ */

static const char *nul_if_empty(const char *s)
{
	return s && *s ? s : NULL;
}

static void put_int(FILE *f, bool first, long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%ld", v);
	pgw_put_field(f, first, num);
}

/* The COFOG division of a function code's 类 (first three digits), or NULL. */
static const char *cofog_of(const struct refdata *rd, const char *code)
{
	for (size_t i = 0; i < rd->ncofog; i++)
		if (strncmp(rd->cofog[i].class_code, code, 3) == 0 &&
		    strlen(rd->cofog[i].class_code) == 3)
			return nul_if_empty(rd->cofog[i].division);
	return NULL;
}

/* dim_function rows (fiscal_year, code, name, level, parent_code, cofog_division). */
static void rows_function(const struct refdata *rd, FILE *f)
{
	for (size_t i = 0; i < rd->nlists; i++) {
		const struct ref_list *l = &rd->lists[i];

		if (l->scheme != SCHEME_FUNCTION)
			continue;
		for (size_t j = 0; j < l->n; j++) {
			const struct ref_code *c = &l->codes[j];

			put_int(f, true, l->year);
			pgw_put_field(f, false, c->code);
			pgw_put_field(f, false, c->name ? c->name : "");
			put_int(f, false, c->level);
			pgw_put_field(f, false, nul_if_empty(c->parent));
			pgw_put_field(f, false, cofog_of(rd, c->code));
			putc('\n', f);
		}
	}
}

/* dim_economic rows (fiscal_year, scheme, code, name, level, parent_code). */
static void rows_economic(const struct refdata *rd, FILE *f)
{
	for (size_t i = 0; i < rd->nlists; i++) {
		const struct ref_list *l = &rd->lists[i];

		if (l->scheme != SCHEME_ECON_DEPT && l->scheme != SCHEME_ECON_GOV)
			continue;
		for (size_t j = 0; j < l->n; j++) {
			const struct ref_code *c = &l->codes[j];

			put_int(f, true, l->year);
			pgw_put_field(f, false, l->scheme == SCHEME_ECON_DEPT ? "dept" : "gov");
			pgw_put_field(f, false, c->code);
			pgw_put_field(f, false, c->name ? c->name : "");
			put_int(f, false, c->level);
			pgw_put_field(f, false, nul_if_empty(c->parent));
			putc('\n', f);
		}
	}
}

/* econ_crosswalk rows (fiscal_year, unit_type, dept_econ_code, gov_econ_code). */
static void rows_crosswalk(const struct refdata *rd, FILE *f)
{
	for (size_t i = 0; i < rd->ncrosswalk; i++) {
		const struct crosswalk_entry *x = &rd->crosswalk[i];

		put_int(f, true, x->year);
		pgw_put_field(f, false, x->unit_type);
		pgw_put_field(f, false, x->dept_code);
		pgw_put_field(f, false, x->gov_code);
		putc('\n', f);
	}
}

static const char *scheme_text(enum scheme s)
{
	return s == SCHEME_FUNCTION ? "function" : s == SCHEME_ECON_DEPT ? "econ_dept" : "econ_gov";
}

/* code_change rows (scheme, from_year, from_code, to_year, to_code, change, note). */
static void rows_changes(const struct refdata *rd, FILE *f)
{
	for (size_t i = 0; i < rd->nchanges; i++) {
		const struct code_change *c = &rd->changes[i];

		pgw_put_field(f, true, scheme_text(c->scheme));
		put_int(f, false, c->from_year);
		pgw_put_field(f, false, c->from_code);
		put_int(f, false, c->to_year);
		pgw_put_field(f, false, c->to_code);
		pgw_put_field(f, false, c->change);
		pgw_put_field(f, false, nul_if_empty(c->note));
		putc('\n', f);
	}
}

/* One dim_region row (region_code, province, city, district). */
static void row_region(FILE *f, const char *province, const char *city, const char *district)
{
	char code[CONFIG_NAME_MAX * 3 + 3];

	pgw_put_field(f, true, dept_region_code(province, city, district, code, sizeof(code)));
	pgw_put_field(f, false, province);
	pgw_put_field(f, false, city);
	pgw_put_field(f, false, district);
	putc('\n', f);
}

/* dim_region rows: the default region, then every registered department's. */
static void rows_region(const struct dept_registry *reg, const struct etl_config *cfg, FILE *f)
{
	row_region(f, cfg->province, cfg->city, cfg->district);
	for (size_t i = 0; i < reg->n; i++)
		row_region(f, reg->dept[i].province, reg->dept[i].city, reg->dept[i].district);
}

/* dim_department rows (dept_code, dept_name, region_code, unit_type, registered, parent_code). */
static void rows_department(const struct dept_registry *reg, FILE *f)
{
	char code[CONFIG_NAME_MAX * 3 + 3];

	for (size_t i = 0; i < reg->n; i++) {
		const struct department *d = &reg->dept[i];

		pgw_put_field(f, true, d->code);
		pgw_put_field(f, false, d->name);
		pgw_put_field(
		    f, false,
		    dept_region_code(d->province, d->city, d->district, code, sizeof(code)));
		pgw_put_field(f, false, d->unit_type);
		pgw_put_field(f, false, "t");
		pgw_put_field(f, false, d->parent_code[0] ? d->parent_code : NULL);
		putc('\n', f);
	}
}

/* The database side ------------------------------------------------------------ */

/* One dimension: its table, the COPY column list, and how to build its rows. */
struct dim {
	const char *table; /* core.<table> */
	const char *cols;
};

static const struct dim dims[] = {
    {"dim_function", "fiscal_year, code, name, level, parent_code, cofog_division"},
    {"dim_economic", "fiscal_year, scheme, code, name, level, parent_code"},
    {"econ_crosswalk", "fiscal_year, unit_type, dept_econ_code, gov_econ_code"},
    {"code_change", "scheme, from_year, from_code, to_year, to_code, change, note"},
    {"dim_region", "region_code, province, city, district"},
};
enum { DIM_FUNCTION, DIM_ECONOMIC, DIM_CROSSWALK, DIM_CHANGE, DIM_REGION, NDIMS };

/*
 * Replace core.<table> with the rows: COPY into a temporary copy of the
 * table, then insert what is new (duplicate keys in config/ keep the first).
 */
static int replace_dim(struct pgw *w, const struct dim *d, struct pgw_rows *rows,
                       struct etl_err *err)
{
	char sql[512];

	if (pgw_rows_flush(rows, err) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
	         "CREATE TEMP TABLE sync_%s (LIKE core.%s INCLUDING DEFAULTS) ON COMMIT DROP",
	         d->table, d->table);
	if (pgw_exec(w, sql, 0, NULL, NULL, err) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "COPY sync_%s (%s) FROM STDIN", d->table, d->cols);
	if (pgw_copy_text(w, sql, "", rows->buf, rows->len, err) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "DELETE FROM core.%s", d->table);
	if (pgw_exec(w, sql, 0, NULL, NULL, err) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
	         "INSERT INTO core.%s (%s) SELECT %s FROM sync_%s ON CONFLICT DO NOTHING", d->table,
	         d->cols, d->cols, d->table);
	return pgw_exec(w, sql, 0, NULL, NULL, err);
}

/*
 * Registered departments: upsert from departments.csv; codes no longer
 * listed stay (their facts need a name) but lose registered.
 */
static int replace_departments(struct pgw *w, struct pgw_rows *rows, struct etl_err *err)
{
	static const char *const steps[] = {
	    "INSERT INTO core.dim_department"
	    " (dept_code, dept_name, region_code, unit_type, registered, parent_code)"
	    " SELECT DISTINCT ON (dept_code) dept_code, dept_name, region_code, unit_type, true,"
	    " parent_code FROM sync_dept ORDER BY dept_code"
	    " ON CONFLICT (dept_code) DO UPDATE SET dept_name = EXCLUDED.dept_name,"
	    " region_code = EXCLUDED.region_code, unit_type = EXCLUDED.unit_type,"
	    " registered = true, parent_code = EXCLUDED.parent_code",
	    "UPDATE core.dim_department d SET registered = false WHERE registered"
	    " AND NOT EXISTS (SELECT 1 FROM sync_dept s WHERE s.dept_code = d.dept_code)",
	};

	if (pgw_rows_flush(rows, err) < 0 ||
	    pgw_exec(w,
	             "CREATE TEMP TABLE sync_dept (LIKE core.dim_department INCLUDING DEFAULTS)"
	             " ON COMMIT DROP",
	             0, NULL, NULL, err) < 0 ||
	    pgw_copy_text(
	        w,
	        "COPY sync_dept (dept_code, dept_name, region_code, unit_type, registered,"
	        " parent_code) FROM STDIN",
	        "", rows->buf, rows->len, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (pgw_exec(w, steps[i], 0, NULL, NULL, err) < 0)
			return -1;
	return 0;
}

/* Record the hashes, the years, and that the marts need a refresh. */
static int record_sync(struct pgw *w, const char *hash_cls, const char *hash_dept,
                       const char *hash_meas, struct etl_err *err)
{
	const char *const p[] = {hash_cls, hash_dept, hash_meas};

	if (pgw_exec(w,
	             "INSERT INTO etl.reference_sync (source, sha256) VALUES"
	             " ('classifications', $1), ('departments', $2), ('measures', $3)"
	             " ON CONFLICT (source) DO UPDATE SET sha256 = EXCLUDED.sha256,"
	             " synced_at = now()",
	             3, p, NULL, err) < 0)
		return -1;
	if (pgw_exec(w,
	             "INSERT INTO core.dim_fiscal_year (fiscal_year)"
	             " SELECT DISTINCT fiscal_year FROM core.dim_function ON CONFLICT DO NOTHING",
	             0, NULL, NULL, err) < 0)
		return -1;
	return pgw_mark_refresh(w, "reference sync", NULL, err); /* names: every year */
}

/* Build every dimension's rows in memory; rows[NDIMS] is dim_department. */
static int build_rows(const struct refdata *rd, const struct dept_registry *reg,
                      const struct etl_config *cfg, struct pgw_rows rows[NDIMS + 1],
                      struct etl_err *err)
{
	for (int i = 0; i <= NDIMS; i++)
		if (pgw_rows_open(&rows[i], err) < 0)
			return -1;
	rows_function(rd, rows[DIM_FUNCTION].f);
	rows_economic(rd, rows[DIM_ECONOMIC].f);
	rows_crosswalk(rd, rows[DIM_CROSSWALK].f);
	rows_changes(rd, rows[DIM_CHANGE].f);
	rows_region(reg, cfg, rows[DIM_REGION].f);
	rows_department(reg, rows[NDIMS].f);
	return 0;
}

/* The reload itself, in one transaction. */
static int reload(struct pgw *w, const struct refdata *rd, const struct dept_registry *reg,
                  const struct etl_config *cfg, const char *hash_cls, const char *hash_dept,
                  const char *hash_meas, struct etl_err *err)
{
	struct pgw_rows rows[NDIMS + 1];
	int rc;

	memset(rows, 0, sizeof(rows));
	rc = build_rows(rd, reg, cfg, rows, err);
	if (rc == 0)
		rc = pgw_begin(w, err);
	for (int i = 0; rc == 0 && i < NDIMS; i++)
		rc = replace_dim(w, &dims[i], &rows[i], err);
	if (rc == 0)
		rc = replace_departments(w, &rows[NDIMS], err);
	if (rc == 0)
		rc = sync_measures(w, err);
	if (rc == 0)
		rc = record_sync(w, hash_cls, hash_dept, hash_meas, err);
	if (rc == 0)
		rc = pgw_commit(w, err);
	if (rc < 0)
		pgw_rollback(w);
	for (int i = 0; i <= NDIMS; i++)
		pgw_rows_free(&rows[i]);
	return rc;
}

/* The stored hash of a source into buf ("" when never synced). */
static int stored_hash(struct pgw *w, const char *source, char *buf, size_t size,
                       struct etl_err *err)
{
	const char *const p[] = {source};

	return pgw_query_value(w, "SELECT sha256 FROM etl.reference_sync WHERE source = $1", 1, p,
	                       buf, size, err);
}

int refsync_run(struct pgw *w, const char *config_dir, const struct dept_registry *reg,
                const struct etl_config *cfg, bool force, bool *synced, struct etl_err *err)
{
	char dir[PATH_BYTES], hash_cls[65], hash_dept[65], hash_meas[65], old_cls[80], old_dept[80],
	    old_meas[80];
	struct refdata rd;
	int rc;

	*synced = false;
	snprintf(dir, sizeof(dir), "%s/classifications", config_dir);
	if (refsync_hash_tree(dir, hash_cls, err) < 0 ||
	    hash_departments(config_dir, cfg, hash_dept, err) < 0 ||
	    stored_hash(w, "classifications", old_cls, sizeof(old_cls), err) < 0 ||
	    stored_hash(w, "departments", old_dept, sizeof(old_dept), err) < 0 ||
	    stored_hash(w, "measures", old_meas, sizeof(old_meas), err) < 0)
		return -1;
	hash_measures(hash_meas);
	if (!force && strcmp(hash_cls, old_cls) == 0 && strcmp(hash_dept, old_dept) == 0 &&
	    strcmp(hash_meas, old_meas) == 0)
		return 0;
	memset(&rd, 0, sizeof(rd));
	if (refdata_load(&rd, dir, err) < 0) {
		refdata_free(&rd);
		return -1;
	}
	rc = reload(w, &rd, reg, cfg, hash_cls, hash_dept, hash_meas, err);
	refdata_free(&rd);
	*synced = rc == 0;
	return rc;
}
