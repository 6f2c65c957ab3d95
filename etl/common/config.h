/*
 * config: the operator's settings (config/etl.conf), the department registry
 * (config/departments.csv) and the choice of database.
 *
 * etl.conf (INI, read with inih; every key optional, defaults below):
 *   [database] dsn        = libpq conninfo or URI ("" = none)
 *              lock_timeout = 60s  how long a statement waits for a lock
 *                                  another session holds before the run
 *                                  stops with 75 (0: forever)
 *   [defaults] province   = 江西省   region and unit type given to a
 *              city       = 南昌市   department that is not in
 *              district   = 西湖区   departments.csv
 *              unit_type  = 行政     (行政, 参公 or 事业)
 *   [checks]   tolerance  = 0        yuan a reconciliation may be off by
 *                                    (an exact decimal, at most 2 places)
 * Unknown sections and keys are not errors (other stages may add theirs);
 * the first one is named in cfg->unknown so a program can warn.
 *
 * departments.csv (UTF-8, optional BOM, header line, read with libcsv):
 *   dept_code,dept_name,province,city,district,unit_type[,parent_code]
 * parent_code (optional column, may be empty): the department a unit (单位)
 * belongs to; cross-department sums count a unit's table only when its
 * parent has no loaded table of the same year, stage and kind.
 * dept_code is digits; a line whose first cell starts with '#' is a comment;
 * a code listed twice is an error.
 *
 * Ownership: struct etl_config is plain fixed buffers (copy freely).
 * struct dept_registry owns its array; config_dept_find*() return borrowed
 * pointers valid until dept_registry_free().  Nothing here prints or exits.
 * Errors: -1 with err->reason "bad_config", err->message naming the file and
 * line ("config/etl.conf:3: ...").
 */
#ifndef ETL_CONFIG_H
#define ETL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CONFIG_DSN_MAX  1024
#define CONFIG_NAME_MAX 256

struct etl_config {
	char dsn[CONFIG_DSN_MAX];
	char lock_timeout[16];
	char province[CONFIG_NAME_MAX];
	char city[CONFIG_NAME_MAX];
	char district[CONFIG_NAME_MAX];
	char unit_type[32];
	int64_t tolerance_fen; /* [checks] tolerance in fen */
	char unknown[128];     /* first unknown "section.key", "" when none */
};

struct department {
	char code[32];
	char name[CONFIG_NAME_MAX];
	char province[CONFIG_NAME_MAX];
	char city[CONFIG_NAME_MAX];
	char district[CONFIG_NAME_MAX];
	char unit_type[32];
	char parent_code[32]; /* "" for a department of its own */
};

struct dept_registry {
	struct department *dept; /* owned, in file order */
	size_t n;
};

/* Fill cfg with the documented defaults. */
void config_defaults(struct etl_config *cfg);

/*
 * Read etl.conf at path over the defaults already in cfg.  A missing file is
 * not an error (*found set false); a malformed one is.
 */
int config_load(struct etl_config *cfg, const char *path, bool *found, struct etl_err *err);

/* Same, from a NUL-terminated string (for tests); name is used in messages. */
int config_load_string(struct etl_config *cfg, const char *text, const char *name,
                       struct etl_err *err);

/*
 * Read departments.csv at path into reg (initially zeroed).  A missing file
 * gives an empty registry and *found false.
 */
int dept_registry_load(struct dept_registry *reg, const char *path, bool *found,
                       struct etl_err *err);
/* Same from memory (len bytes), for tests. */
int dept_registry_parse(struct dept_registry *reg, const char *data, size_t len, const char *name,
                        struct etl_err *err);
void dept_registry_free(struct dept_registry *reg);

/* The registered department with this code, or NULL. */
const struct department *dept_find(const struct dept_registry *reg, const char *code);

/* Region code of a department: "province/city/district" into buf. */
char *dept_region_code(const char *province, const char *city, const char *district, char *buf,
                       size_t size);

/* Where the database conninfo came from, in the order they are tried. */
enum dsn_source {
	DSN_OPTION,   /* --dsn */
	DSN_ETL_ENV,  /* ETL_DSN */
	DSN_PG_ENV,   /* PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER or PGSERVICE set:
	                 conninfo "" lets libpq read them */
	DSN_CONFIG,   /* [database] dsn of etl.conf */
	DSN_EMBEDDED, /* ETL_EMBEDDED_DSN, set by run.sh for its own cluster */
	DSN_NONE      /* nothing configured: the caller exits 78 */
};

/*
 * Pick the conninfo (a pure function: the environment comes through getenv_fn,
 * normally getenv).  An empty string counts as unset everywhere.  *dsn is
 * borrowed from option, the environment or cfg; "" for DSN_PG_ENV and
 * DSN_NONE.
 */
enum dsn_source config_resolve_dsn(const char *option, char *(*getenv_fn)(const char *),
                                   const struct etl_config *cfg, const char **dsn);

/* A short English name of a source for log lines ("--dsn", "ETL_DSN" ...). */
const char *dsn_source_name(enum dsn_source s);

#endif
