-- 001_core: the star schema's tables and the audit trail.
--
-- Schemas: core (dimensions and facts, written by the loader), etl (audit
-- trail), mart (views for BI, see 010_mart.sql).  Amounts are numeric(18,2)
-- yuan.  Every fact carries its provenance: file_id (etl.files) and line.
--
-- Citus-ready: facts and project tables have primary keys that include
-- dept_code (the distribution column); no foreign keys from facts.

CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS etl;
CREATE SCHEMA IF NOT EXISTS mart;

-- Dimensions ---------------------------------------------------------------

CREATE TABLE core.dim_fiscal_year (
    fiscal_year smallint PRIMARY KEY
);

CREATE TABLE core.dim_region (
    region_code text PRIMARY KEY,          -- province/city/district joined by '/'
    province    text NOT NULL,
    city        text NOT NULL,
    district    text NOT NULL              -- the `region` of mart views
);

CREATE TABLE core.dim_department (
    dept_code   text PRIMARY KEY,
    dept_name   text NOT NULL,
    region_code text NOT NULL,
    unit_type   text NOT NULL,             -- 行政, 参公 or 事业
    registered  boolean NOT NULL DEFAULT true  -- false: first seen in a file
);

-- Function classification (支出功能分类科目) per fiscal-year edition.
CREATE TABLE core.dim_function (
    fiscal_year    smallint NOT NULL,
    code           text NOT NULL,          -- 3, 5 or 7 digits
    name           text NOT NULL,
    level          smallint NOT NULL,      -- 1 类, 2 款, 3 项
    parent_code    text,
    cofog_division text,                   -- COFOG division of the 类 (e.g. '01')
    PRIMARY KEY (fiscal_year, code)
);

-- Economic classifications: scheme 'dept' (部门预算支出经济分类, 301...)
-- and 'gov' (政府预算支出经济分类, 501...).
CREATE TABLE core.dim_economic (
    fiscal_year smallint NOT NULL,
    scheme      text NOT NULL CHECK (scheme IN ('dept', 'gov')),
    code        text NOT NULL,
    name        text NOT NULL,
    level       smallint NOT NULL,
    parent_code text,
    PRIMARY KEY (fiscal_year, scheme, code)
);

-- 部门 -> 政府 economic crosswalk, by unit type.
CREATE TABLE core.econ_crosswalk (
    fiscal_year   smallint NOT NULL,
    unit_type     text NOT NULL,
    dept_econ_code text NOT NULL,
    gov_econ_code text NOT NULL,
    PRIMARY KEY (fiscal_year, unit_type, dept_econ_code)
);

-- Year-to-year code changes: a fact keeps its original code and gets the
-- current one through this table.
CREATE TABLE core.code_change (
    scheme    text NOT NULL,               -- function, econ_dept, econ_gov
    from_year smallint NOT NULL,
    from_code text NOT NULL,
    to_year   smallint NOT NULL,
    to_code   text NOT NULL,
    change    text NOT NULL,               -- renamed, moved, split, merged, retired
    note      text,
    PRIMARY KEY (scheme, from_year, from_code, to_code)
);

CREATE TABLE core.dim_fund_source (
    fund_source text PRIMARY KEY,
    name        text NOT NULL,
    sort        smallint NOT NULL
);

-- Expense types: the measure of a fact (basic, project, personnel ...).
CREATE TABLE core.dim_measure (
    measure text PRIMARY KEY,
    name    text NOT NULL
);

-- Facts --------------------------------------------------------------------

-- One row per (file line, measure): the loader writes every non-zero amount
-- of every row.  row_role: leaf (a fact), subtotal (类/款 rows, kept for
-- checking), total (the 合计 row), income / expense (tables 1 and 4),
-- three_public (table 7).  code: the canonical function or economic code,
-- or the fund-source key on income rows.
CREATE TABLE core.fact_amount (
    fiscal_year smallint NOT NULL,
    dept_code   text NOT NULL,
    stage       text NOT NULL DEFAULT 'budget',
    table_kind  smallint NOT NULL,
    row_role    text NOT NULL,
    code        text,
    label       text,                      -- the name as printed in the file
    measure     text NOT NULL,
    amount      numeric(18,2) NOT NULL,
    file_id     bigint NOT NULL,
    line        integer NOT NULL,
    PRIMARY KEY (fiscal_year, dept_code, stage, table_kind, line, row_role, measure)
) PARTITION BY LIST (fiscal_year);

DO $$
BEGIN
    FOR y IN 2010..2040 LOOP
        EXECUTE format('CREATE TABLE core.fact_amount_%s PARTITION OF core.fact_amount FOR VALUES IN (%s)', y, y);
    END LOOP;
END $$;
CREATE TABLE core.fact_amount_other PARTITION OF core.fact_amount DEFAULT;

-- Table 9: projects and their performance indicators.
CREATE TABLE core.project (
    fiscal_year  smallint NOT NULL,
    dept_code    text NOT NULL,
    stage        text NOT NULL DEFAULT 'budget',
    project_no   integer NOT NULL,         -- order in the file, from 1
    project_name text NOT NULL,
    supervisor   text,                     -- 主管部门
    amount       numeric(18,2),
    goal         text,                     -- 年度绩效目标
    file_id      bigint NOT NULL,
    line         integer NOT NULL,
    PRIMARY KEY (fiscal_year, dept_code, stage, project_no)
);

CREATE TABLE core.project_indicator (
    fiscal_year     smallint NOT NULL,
    dept_code       text NOT NULL,
    stage           text NOT NULL DEFAULT 'budget',
    project_no      integer NOT NULL,
    indicator_no    integer NOT NULL,
    level1          text,
    level2          text,
    level3          text,
    target_text     text,
    target_operator text,
    target_value    numeric,
    target_unit     text,
    file_id         bigint NOT NULL,
    line            integer NOT NULL,
    PRIMARY KEY (fiscal_year, dept_code, stage, project_no, indicator_no)
);

-- Audit trail (names fixed by docs/contract.md) ----------------------------

CREATE TABLE etl.runs (
    run_id          bigserial PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    exit_code       integer,
    files_seen      integer NOT NULL DEFAULT 0,
    files_loaded    integer NOT NULL DEFAULT 0,
    files_unchanged integer NOT NULL DEFAULT 0,
    files_rejected  integer NOT NULL DEFAULT 0,
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_loaded     bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    options         text                   -- the command-line options (never a password)
);

CREATE TABLE etl.files (
    file_id       bigserial PRIMARY KEY,
    run_id        bigint NOT NULL REFERENCES etl.runs,
    file_path     text NOT NULL,           -- absolute
    sha256        text,
    fiscal_year   smallint,
    dept_code     text,
    table_kind    smallint,
    stage         text,
    encoding      text,
    status        text NOT NULL CHECK (status IN ('loaded', 'unchanged', 'rejected')),
    rows_read     integer NOT NULL DEFAULT 0,
    rows_loaded   integer NOT NULL DEFAULT 0,
    rows_rejected integer NOT NULL DEFAULT 0
);
CREATE INDEX files_current ON etl.files (fiscal_year, dept_code, table_kind, stage, status, file_id);

CREATE TABLE etl.rejects (
    reject_id   bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES etl.runs,
    file_path   text NOT NULL,
    line        integer,
    column_name text,
    raw_value   text,
    reason      text NOT NULL,
    message     text NOT NULL
);

CREATE TABLE etl.checks (
    check_id    bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES etl.runs,
    fiscal_year smallint,
    dept_code   text,
    table_kind  smallint,
    check_name  text NOT NULL,
    subject     text,
    expected    numeric(18,2),
    actual      numeric(18,2),
    passed      boolean NOT NULL,
    message     text
);
CREATE INDEX checks_submission ON etl.checks (fiscal_year, dept_code, run_id);

-- The version of each table that is loaded now: what "unchanged" compares with.
CREATE TABLE etl.loaded_tables (
    fiscal_year smallint NOT NULL,
    dept_code   text NOT NULL,
    stage       text NOT NULL,
    table_kind  smallint NOT NULL,
    sha256      text NOT NULL,
    file_id     bigint NOT NULL,
    run_id      bigint NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (fiscal_year, dept_code, stage, table_kind)
);

-- Small persistent flags, e.g. 'refresh_pending' set in the same transaction
-- as a fact change and cleared after the materialized views are refreshed,
-- so a killed run's refresh is done by the next.
CREATE TABLE etl.state (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Reference data the loader keeps in step with config/ (a hash per source).
CREATE TABLE etl.reference_sync (
    source text PRIMARY KEY,
    sha256 text NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now()
);
