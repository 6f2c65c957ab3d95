#include "config.h"

#include "amount.h"
#include "csvread.h"
#include "textnorm.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPT_FILE_MAX (64L << 20) /* a registry larger than this is not one */

void config_defaults(struct etl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->province, sizeof(cfg->province), "%s", "江西省");
	snprintf(cfg->city, sizeof(cfg->city), "%s", "南昌市");
	snprintf(cfg->district, sizeof(cfg->district), "%s", "西湖区");
	snprintf(cfg->unit_type, sizeof(cfg->unit_type), "%s", "行政");
	snprintf(cfg->lock_timeout, sizeof(cfg->lock_timeout), "%s", "60s");
}

/* A PostgreSQL duration the loader passes on: digits, then ms, s, min or h, or 0. */
static bool valid_duration(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 9)
		return false;
	return !s[n] || strcmp(s + n, "ms") == 0 || strcmp(s + n, "s") == 0 ||
	       strcmp(s + n, "min") == 0 || strcmp(s + n, "h") == 0;
}

static bool valid_unit_type(const char *s)
{
	return strcmp(s, "行政") == 0 || strcmp(s, "参公") == 0 || strcmp(s, "事业") == 0;
}

struct ini_ctx {
	struct etl_config *cfg;
	char problem[256]; /* set by the handler when it refuses a value */
};

/* Copy value into a fixed field, refusing what does not fit. */
static int set_text(struct ini_ctx *c, char *dst, size_t size, const char *key, const char *value)
{
	if (strlen(value) >= size) {
		snprintf(c->problem, sizeof(c->problem), "%s is longer than %zu bytes", key,
		         size - 1);
		return 0;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 1;
}

/* inih callback: returns 1 to go on, 0 to report this line as an error. */
static int ini_handler_fn(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *c = user;
	struct etl_config *cfg = c->cfg;

	if (strcmp(section, "database") == 0 && strcmp(name, "dsn") == 0)
		return set_text(c, cfg->dsn, sizeof(cfg->dsn), name, value);
	if (strcmp(section, "database") == 0 && strcmp(name, "lock_timeout") == 0) {
		if (!valid_duration(value)) {
			snprintf(c->problem, sizeof(c->problem),
			         "lock_timeout must be a duration like 60s, 500ms or 2min (0: wait "
			         "forever), not \"%.64s\"",
			         value);
			return 0;
		}
		return set_text(c, cfg->lock_timeout, sizeof(cfg->lock_timeout), name, value);
	}
	if (strcmp(section, "defaults") == 0) {
		if (strcmp(name, "province") == 0)
			return set_text(c, cfg->province, sizeof(cfg->province), name, value);
		if (strcmp(name, "city") == 0)
			return set_text(c, cfg->city, sizeof(cfg->city), name, value);
		if (strcmp(name, "district") == 0)
			return set_text(c, cfg->district, sizeof(cfg->district), name, value);
		if (strcmp(name, "unit_type") == 0) {
			if (!valid_unit_type(value)) {
				snprintf(c->problem, sizeof(c->problem),
				         "unit_type must be 行政, 参公 or 事业, not \"%.64s\"",
				         value);
				return 0;
			}
			return set_text(c, cfg->unit_type, sizeof(cfg->unit_type), name, value);
		}
	}
	if (strcmp(section, "checks") == 0 && strcmp(name, "tolerance") == 0) {
		if (*value == '-' || amount_parse_exact(value, &cfg->tolerance_fen) < 0) {
			snprintf(c->problem, sizeof(c->problem),
			         "tolerance must be a yuan amount like 0 or 0.01, not \"%.64s\"",
			         value);
			return 0;
		}
		return 1;
	}
	if (!cfg->unknown[0])
		snprintf(cfg->unknown, sizeof(cfg->unknown), "%.60s.%.60s", section, name);
	return 1;
}

/* Turn inih's result (0, -1 open, -2 memory, or an error line) into err. */
static int ini_result(int rc, struct ini_ctx *c, const char *name, struct etl_err *err)
{
	if (rc == 0)
		return 0;
	if (rc == -1)
		return etl_fail(err, "bad_config", 0, NULL, "%s: cannot open: %s", name,
		                strerror(errno));
	if (rc < 0)
		return etl_fail(err, "bad_config", 0, NULL, "%s: out of memory", name);
	return etl_fail(err, "bad_config", rc, NULL, "%s:%d: %s", name, rc,
	                c->problem[0] ? c->problem : "not a key = value line");
}

int config_load(struct etl_config *cfg, const char *path, bool *found, struct etl_err *err)
{
	struct ini_ctx c = {.cfg = cfg};
	FILE *f = fopen(path, "r");

	*found = f != NULL;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return etl_fail(err, "bad_config", 0, NULL, "%s: cannot open: %s", path,
		                strerror(errno));
	}
	int rc = ini_parse_file(f, ini_handler_fn, &c);
	fclose(f);
	return ini_result(rc, &c, path, err);
}

int config_load_string(struct etl_config *cfg, const char *text, const char *name,
                       struct etl_err *err)
{
	struct ini_ctx c = {.cfg = cfg};

	return ini_result(ini_parse_string(text, ini_handler_fn, &c), &c, name, err);
}

/* departments.csv ---------------------------------------------------------- */

enum dept_col {
	DC_CODE,
	DC_NAME,
	DC_PROVINCE,
	DC_CITY,
	DC_DISTRICT,
	DC_UNIT_TYPE,
	DC_N,
	DC_PARENT = DC_N /* optional seventh column */
};

static const char *const dept_header[DC_N + 1] = {"dept_code", "dept_name", "province",   "city",
                                                  "district",  "unit_type", "parent_code"};

/* State of one registry parse, shared with the csvread callback. */
struct dept_parse {
	struct dept_registry *reg;
	const char *name;
	struct etl_err *err;
	long records; /* non-comment records seen, header included */
	size_t cap;
	int ncols; /* DC_N, or DC_N + 1 with parent_code */
};

/* Check the header record; returns 0 or -1 (err filled). */
static int dept_check_header(struct dept_parse *p, const struct csv_record *rec)
{
	p->ncols = rec->nfields == DC_N + 1 ? DC_N + 1 : DC_N;
	for (int i = 0; i < p->ncols; i++)
		if (i >= rec->nfields || strcmp(rec->field[i], dept_header[i]) != 0 ||
		    rec->nfields > DC_N + 1)
			return etl_fail(p->err, "bad_config", rec->line, NULL,
			                "%s:%ld: header must be "
			                "dept_code,dept_name,province,city,district,unit_type"
			                "[,parent_code]",
			                p->name, rec->line);
	return 0;
}

/* Validate the cells of one department record; returns 0 or -1. */
static int dept_validate(struct dept_parse *p, const struct csv_record *rec)
{
	char *const *c = rec->field;

	if (rec->nfields != p->ncols)
		return etl_fail(p->err, "bad_config", rec->line, NULL,
		                "%s:%ld: %d cells, expected %d", p->name, rec->line, rec->nfields,
		                p->ncols);
	if (p->ncols > DC_N && c[DC_PARENT][0] &&
	    (!text_all_digits(c[DC_PARENT]) || strlen(c[DC_PARENT]) >= 32 ||
	     strcmp(c[DC_PARENT], c[DC_CODE]) == 0))
		return etl_fail(p->err, "bad_config", rec->line, "parent_code",
		                "%s:%ld: parent_code \"%s\" is not another department's code",
		                p->name, rec->line, c[DC_PARENT]);
	if (!text_all_digits(c[DC_CODE]) ||
	    strlen(c[DC_CODE]) >= sizeof(((struct department *)0)->code))
		return etl_fail(p->err, "bad_config", rec->line, "dept_code",
		                "%s:%ld: dept_code \"%s\" is not a code of digits", p->name,
		                rec->line, c[DC_CODE]);
	for (int i = DC_NAME; i < DC_N; i++) {
		if (!c[i][0])
			return etl_fail(p->err, "bad_config", rec->line, dept_header[i],
			                "%s:%ld: %s is empty", p->name, rec->line, dept_header[i]);
		if (strlen(c[i]) >= CONFIG_NAME_MAX)
			return etl_fail(p->err, "bad_config", rec->line, dept_header[i],
			                "%s:%ld: %s is longer than %d bytes", p->name, rec->line,
			                dept_header[i], CONFIG_NAME_MAX - 1);
	}
	if (!valid_unit_type(c[DC_UNIT_TYPE]))
		return etl_fail(p->err, "bad_config", rec->line, "unit_type",
		                "%s:%ld: unit_type must be 行政, 参公 or 事业, not \"%s\"", p->name,
		                rec->line, c[DC_UNIT_TYPE]);
	if (dept_find(p->reg, c[DC_CODE]))
		return etl_fail(p->err, "bad_config", rec->line, "dept_code",
		                "%s:%ld: dept_code %s is listed twice", p->name, rec->line,
		                c[DC_CODE]);
	return 0;
}

/* Append a validated record to the registry; returns 0 or -1. */
static int dept_add(struct dept_parse *p, const struct csv_record *rec)
{
	struct dept_registry *reg = p->reg;
	char *const *c = rec->field;
	struct department *d;

	if (dept_validate(p, rec) < 0)
		return -1;
	if (reg->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct department *nd = realloc(reg->dept, cap * sizeof(*nd));

		if (!nd)
			return etl_fail(p->err, "out_of_memory", rec->line, NULL, "out of memory");
		reg->dept = nd;
		p->cap = cap;
	}
	d = &reg->dept[reg->n++];
	snprintf(d->code, sizeof(d->code), "%s", c[DC_CODE]);
	snprintf(d->name, sizeof(d->name), "%s", c[DC_NAME]);
	snprintf(d->province, sizeof(d->province), "%s", c[DC_PROVINCE]);
	snprintf(d->city, sizeof(d->city), "%s", c[DC_CITY]);
	snprintf(d->district, sizeof(d->district), "%s", c[DC_DISTRICT]);
	snprintf(d->unit_type, sizeof(d->unit_type), "%s", c[DC_UNIT_TYPE]);
	snprintf(d->parent_code, sizeof(d->parent_code), "%s", p->ncols > DC_N ? c[DC_PARENT] : "");
	return 0;
}

/* csvread callback: skip blank and '#' lines, check the header, add the rest. */
static int dept_record(void *ctx, const struct csv_record *rec)
{
	struct dept_parse *p = ctx;

	if (rec->nfields == 0 || (rec->nfields == 1 && !rec->field[0][0]) ||
	    rec->field[0][0] == '#')
		return 0;
	if (++p->records == 1)
		return dept_check_header(p, rec) < 0 ? 1 : 0;
	return dept_add(p, rec) < 0 ? 1 : 0;
}

int dept_registry_parse(struct dept_registry *reg, const char *data, size_t len, const char *name,
                        struct etl_err *err)
{
	struct csvread r;
	struct dept_parse p = {.reg = reg, .name = name, .err = err};
	int rc;

	etl_err_clear(err);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (csvread_init(&r, ',', dept_record, &p, err) < 0)
		return -1;
	rc = csvread_feed(&r, data, len);
	if (rc == 0)
		rc = csvread_finish(&r);
	csvread_free(&r);
	if (rc == 0 && p.records == 0)
		rc = etl_fail(err, "bad_config", 1, NULL, "%s: no header line", name);
	if (rc != 0) {
		/* csvread's own errors do not name the file */
		if (strcmp(err->reason, "bad_config") != 0) {
			char msg[ETL_ERR_MSG];

			snprintf(msg, sizeof(msg), "%.200s:%ld: %.280s", name, err->line,
			         err->message);
			etl_fail(err, "bad_config", err->line, NULL, "%s", msg);
		}
		dept_registry_free(reg);
		return -1;
	}
	return 0;
}

int dept_registry_load(struct dept_registry *reg, const char *path, bool *found,
                       struct etl_err *err)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;
	int rc;

	reg->dept = NULL;
	reg->n = 0;
	*found = f != NULL;
	if (!f)
		return errno == ENOENT ? 0
		                       : etl_fail(err, "bad_config", 0, NULL, "%s: cannot open: %s",
		                                  path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > DEPT_FILE_MAX ||
	    fseek(f, 0, SEEK_SET) != 0 || !(data = malloc((size_t)size + 1)) ||
	    fread(data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(data);
		return etl_fail(err, "bad_config", 0, NULL,
		                "%s: cannot read (or larger than %ld MB)", path,
		                DEPT_FILE_MAX >> 20);
	}
	fclose(f);
	rc = dept_registry_parse(reg, data, (size_t)size, path, err);
	free(data);
	return rc;
}

void dept_registry_free(struct dept_registry *reg)
{
	free(reg->dept);
	reg->dept = NULL;
	reg->n = 0;
}

const struct department *dept_find(const struct dept_registry *reg, const char *code)
{
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->dept[i].code, code) == 0)
			return &reg->dept[i];
	return NULL;
}

char *dept_region_code(const char *province, const char *city, const char *district, char *buf,
                       size_t size)
{
	snprintf(buf, size, "%s/%s/%s", province, city, district);
	return buf;
}

/* DSN ------------------------------------------------------------------------ */

static bool set(const char *s)
{
	return s && *s;
}

enum dsn_source config_resolve_dsn(const char *option, char *(*getenv_fn)(const char *),
                                   const struct etl_config *cfg, const char **dsn)
{
	static const char *const pgvars[] = {"PGHOST",     "PGHOSTADDR", "PGPORT",
	                                     "PGDATABASE", "PGUSER",     "PGSERVICE"};
	const char *v;

	*dsn = "";
	if (set(option)) {
		*dsn = option;
		return DSN_OPTION;
	}
	if (set(v = getenv_fn("ETL_DSN"))) {
		*dsn = v;
		return DSN_ETL_ENV;
	}
	for (size_t i = 0; i < sizeof(pgvars) / sizeof(pgvars[0]); i++)
		if (set(getenv_fn(pgvars[i])))
			return DSN_PG_ENV;
	if (cfg && set(cfg->dsn)) {
		*dsn = cfg->dsn;
		return DSN_CONFIG;
	}
	if (set(v = getenv_fn("ETL_EMBEDDED_DSN"))) {
		*dsn = v;
		return DSN_EMBEDDED;
	}
	return DSN_NONE;
}

const char *dsn_source_name(enum dsn_source s)
{
	switch (s) {
	case DSN_OPTION: return "--dsn";
	case DSN_ETL_ENV: return "ETL_DSN";
	case DSN_PG_ENV: return "PG* environment";
	case DSN_CONFIG: return "config/etl.conf";
	case DSN_EMBEDDED: return "embedded cluster";
	case DSN_NONE: break;
	}
	return "none";
}
