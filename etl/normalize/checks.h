/*
 * checks: reconciliation of one submission (one department, one year),
 * within each table and across its tables, before anything is written.
 *
 * normalize fills a struct submission with every row it keeps (after code
 * normalisation, rejected rows excluded), then checks_run() appends one
 * struct check per identity tested, passed or not.  Nothing is corrected:
 * the declared figures stay as they are.
 *
 * Amounts are int64 fen.  A check passes when |expected - actual| <=
 * tolerance + the rounding allowance: the sum of the half units of the
 * printed figures in it (FINAL_ACCOUNTS "Checks": k × h, each figure's h
 * from its own table; a blank cell is no figure).  A check that passes only
 * through the allowance records it (allowance), with its difference.
 *
 * Ownership: the submission owns its tables, rows and measures (filled with
 * the sub_* helpers, freed by submission_free); struct check_list owns its
 * checks (check_list_free).  Messages are Chinese, for a finance officer:
 * they name the table, the row (line and code) and both figures in 元.
 */
#ifndef ETL_CHECKS_H
#define ETL_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK_MEASURE_KEY 48

struct measure {
	char key[CHECK_MEASURE_KEY]; /* stream amount key: total, basic, general_budget ... */
	int64_t fen;
	bool printed; /* false: a blank cell ("", "-", "—"), 0 with no rounding allowance */
};

/*
 * One kept row.  role: leaf, subtotal, total (classified tables), income,
 * expense (tables 1, 4: code = key or 类 code), three_public, project.
 * level: 1 类, 2 款, 3 项 for classified rows (economic: 1 类, 2 款), else 0.
 */
struct sub_row {
	long line;
	char role[16];
	char code[CHECK_MEASURE_KEY]; /* also holds stream keys: expense_subtotal */
	char name[128];
	int level;
	struct measure *m;
	int nm;
	int64_t half_unit; /* fen: the rounding allowance of each printed figure */
};

struct sub_table {
	int kind;          /* 1..10 */
	const char *path;  /* borrowed from the caller, for messages */
	int64_t half_unit; /* fen, from the file's E record */
	struct sub_row *rows;
	size_t n, cap;
};

struct submission {
	int year;
	char dept[64];
	bool final;                  /* the tables are final accounts (决算): their identities */
	struct sub_table tables[11]; /* by kind; kind 0 unused; n == 0: absent */
	bool present[11];
};

struct check {
	int kind;          /* the table the check is about (0: the submission) */
	char name[64];     /* stable English name, e.g. subtotal_equals_children */
	char subject[128]; /* what was checked: a code, a line, a measure */
	int64_t expected, actual;
	bool passed;
	int64_t allowance; /* fen: the rounding allowance a passed check needed, else 0 */
	long rows;         /* checks this one stands for (0 counts as 1) */
	bool aggregate;    /* passed row-level identities counted: subject "(N rows)", no figures */
	int64_t max_diff;  /* the largest difference among them */
	char message[512]; /* Chinese */
};

struct check_list {
	struct check *c;
	size_t n, cap;
};

void submission_init(struct submission *s, int year, const char *dept);
void submission_free(struct submission *s);
/*
 * Add a row to table kind; returns the row (owned by s; valid until the next
 * sub_add_row on that table) or NULL on ENOMEM or a bad kind, role or code.
 */
struct sub_row *sub_add_row(struct submission *s, int kind, const char *path, long line,
                            const char *role, const char *code, const char *name, int level);
/* Add a measure to a row; returns -1 on ENOMEM. */
int sub_add_measure(struct sub_row *r, const char *key, int64_t fen);
/* A blank cell of column key: 0, no figure printed (no allowance); a printed value wins. */
int sub_add_blank(struct sub_row *r, const char *key);
/* A measure of a row, or 0 with *found false. */
int64_t sub_measure(const struct sub_row *r, const char *key, bool *found);

/* Run every check that the submission's tables allow. */
int checks_run(const struct submission *s, int64_t tolerance_fen, struct check_list *out);
void check_list_free(struct check_list *l);

#endif
