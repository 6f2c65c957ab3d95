-- views/050_report: the audit trail as BI tools and build/report read it
-- (docs/contract.md "The review report").  The etl schema stays closed to
-- budget_reader; these mart views show what a finance bureau acts on after
-- a load: what the runs did, which files and rows were rejected and why,
-- which checks failed.  Raw cells and file paths become visible to every
-- reader of mart through them, on purpose: they are what a department is
-- asked to correct.
--
--   mart.run_summary    one row per run, stage and publication scope of
--                       the files it saw
--   mart.rejects        the rejected files and rows that still stand
--   mart.failed_checks  the failed checks of each submission as last checked
--
-- Helpers in core (budget_reader does not see them):
--   core.table_titles    the printed title of each table kind, per stage
--   core.reject_reasons  the Chinese wording of every reject reason code
--   core.file_submission every etl.files row with the submission it belongs
--                        to, taken from the <year>/<dept>/ folder when the
--                        table itself could not tell (a file rejected whole)
--
-- Repeatable: re-applied with every file of sql/views/ whenever one changes,
-- so it first drops what it creates.

DROP VIEW IF EXISTS mart.failed_checks CASCADE;
DROP VIEW IF EXISTS mart.rejects CASCADE;
DROP VIEW IF EXISTS mart.run_summary CASCADE;
DROP VIEW IF EXISTS core.file_submission CASCADE;
DROP VIEW IF EXISTS core.reject_reasons CASCADE;
DROP VIEW IF EXISTS core.table_titles CASCADE;

-- Helpers --------------------------------------------------------------------

-- The titles of etl/normalize/checks.c (budget_titles, final_titles); the
-- 决算 set prints 国有资本经营 as its table 9.
CREATE VIEW core.table_titles AS
SELECT s.stage, t.table_kind,
       CASE WHEN s.stage = 'final' AND t.table_kind = 10 THEN 9 ELSE t.table_kind END AS table_no,
       CASE WHEN s.stage = 'final' THEN t.final_title ELSE t.budget_title END AS title
FROM (VALUES
    (1::smallint,  '部门收支总表',                   '收入支出决算总表'),
    (2::smallint,  '部门收入总表',                   '收入决算表'),
    (3::smallint,  '部门支出总表',                   '支出决算表'),
    (4::smallint,  '财政拨款收支总表',               '财政拨款收入支出决算总表'),
    (5::smallint,  '一般公共预算支出表',             '一般公共预算财政拨款支出决算表'),
    (6::smallint,  '一般公共预算基本支出表',         '一般公共预算财政拨款基本支出决算表'),
    (7::smallint,  '一般公共预算“三公”经费支出表',   '财政拨款“三公”经费支出决算表'),
    (8::smallint,  '政府性基金预算支出表',           '政府性基金预算财政拨款收入支出决算表'),
    (9::smallint,  '项目支出绩效目标表',             '项目支出绩效目标表'),
    (10::smallint, '国有资本经营预算支出表',         '国有资本经营预算财政拨款收入支出决算表')
) AS t (table_kind, budget_title, final_title)
CROSS JOIN (VALUES ('budget'), ('adjusted'), ('final')) AS s (stage);

COMMENT ON VIEW core.table_titles IS
    '各阶段各表种的标题 / the printed title of each table kind, per stage';

-- Every reason code the stages write to etl.rejects, in the words a
-- department reads.  A code missing here shows as itself.
CREATE VIEW core.reject_reasons AS
SELECT * FROM (VALUES
    ('bad_amount',              '金额不是数字或超出范围'),
    ('bad_code',                '科目编码格式错误'),
    ('unknown_code',            '科目编码不在当年科目表中'),
    ('unknown_name',            '科目名称无法对应到科目编码'),
    ('ambiguous_name',          '科目名称对应多个科目编码'),
    ('code_parent_mismatch',    '科目编码与所在的上级科目不符'),
    ('missing_code',            '有金额但没有科目编码和名称'),
    ('missing_label',           '有金额但没有项目名称'),
    ('missing_project',         '绩效指标没有所属项目'),
    ('unlabeled_value',         '有金额但没有标签'),
    ('unexpected_row',          '多余的数据行'),
    ('subheaders_in_total_row', '合计行中印有子表头'),
    ('no_classification',       '该年度没有科目表'),
    ('no_reference_list',       '该年度没有科目表'),
    ('bad_csv',                 'CSV 格式错误（如引号未闭合）'),
    ('too_long',                '单元格过长'),
    ('empty_file',              '空文件'),
    ('not_text',                '不是文本文件'),
    ('bad_encoding',            '无法识别的字符编码'),
    ('unproven_encoding',       '无法确定字符编码'),
    ('bad_gzip',                'gzip 压缩文件已损坏'),
    ('io_error',                '读取文件出错'),
    ('too_large',               '文件过大'),
    ('unknown_table',           '无法识别的表格（标题不是公开表）'),
    ('unrecognised_table',      '无法确定表格的年度、部门或表种'),
    ('unknown_header',          '无法识别的表头'),
    ('duplicate_header',        '表头中有重复的列'),
    ('no_unit',                 '缺少金额单位（万元或元）'),
    ('no_year',                 '标题和文件夹都没有年度'),
    ('bad_year',                '年度无法识别'),
    ('year_mismatch',           '标题年度与文件夹年度不符'),
    ('unsupported_stage',       '不支持的阶段'),
    ('duplicate_table',         '同一提交中有两张同类表'),
    ('no_department',           '无法确定所属部门'),
    ('unreadable_folder',       '文件夹无法读取'),
    ('path_too_long',           '路径过长'),
    ('not_regular_file',        '不是普通文件'),
    ('symlink_outside',         '符号链接指向所给文件夹之外'),
    ('broken_symlink',          '符号链接所指的文件不存在'),
    ('table_not_loaded',        '表中有被拒绝的行，整表未加载'),
    ('file_rejected',           '文件被整体拒绝'),
    ('failed_checks',           '核对未通过，整个提交未加载'),
    ('load_failed',             '写入数据库失败'),
    ('db_data',                 '数据库拒绝了该值')
) AS r (reason, reason_text);

COMMENT ON VIEW core.reject_reasons IS
    '拒绝原因代码的中文说明 / the Chinese wording of each reject reason code';

-- The submission a file belongs to: the table's own year and department,
-- else the <year>/<dept>/ folder it lies in (the rule of paths.h:
-- paths_submission_key: year 1990-2100, dept 1-60 of [0-9A-Za-z_-]).
CREATE VIEW core.file_submission AS
SELECT f.file_id, f.run_id, f.file_path, f.status, f.stage, f.table_kind,
       f.publication_scope,
       coalesce(f.fiscal_year, p.fiscal_year) AS fiscal_year,
       coalesce(f.dept_code, p.dept_code) AS dept_code,
       f.fiscal_year IS NOT NULL AND f.dept_code IS NOT NULL AND f.stage IS NOT NULL
           AND f.table_kind IS NOT NULL AS identified
FROM etl.files f
LEFT JOIN LATERAL (
    SELECT m[1]::smallint AS fiscal_year, m[2] AS dept_code
    FROM regexp_match(f.file_path, '/([0-9]{4})/([0-9A-Za-z_-]{1,60})/[^/]+$') AS m
    WHERE m[1]::integer BETWEEN 1990 AND 2100
) p ON f.fiscal_year IS NULL OR f.dept_code IS NULL;

COMMENT ON VIEW core.file_submission IS
    '每个读到的文件及其所属提交（表中无法确定时取自 <年度>/<部门>/ 文件夹） / every file a run saw with the submission it belongs to (from its <year>/<dept>/ folder when the table could not tell)';

-- The runs ---------------------------------------------------------------------

-- One row per run and (stage, publication_scope) of the files it saw; the
-- counts of a run's rows add up to its etl.runs totals.  A run that saw no
-- file (a withdrawal) has one row with stage and scope null; so do the
-- files of a run whose stage could not be read (a file rejected whole).
CREATE VIEW mart.run_summary AS
WITH f AS (
    SELECT run_id, stage, publication_scope,
           count(*)::integer                                         AS files_seen,
           count(*) FILTER (WHERE status = 'loaded')::integer        AS files_loaded,
           count(*) FILTER (WHERE status = 'unchanged')::integer     AS files_unchanged,
           count(*) FILTER (WHERE status = 'rejected')::integer      AS files_rejected,
           count(*) FILTER (WHERE status = 'skipped')::integer       AS files_skipped,
           sum(rows_read)::bigint                                    AS rows_read,
           sum(rows_loaded)::bigint                                  AS rows_loaded,
           sum(rows_rejected)::bigint                                AS rows_rejected
    FROM etl.files
    GROUP BY run_id, stage, publication_scope
), w AS (
    SELECT run_id, count(*)::integer AS withdrawals
    FROM etl.withdrawals
    GROUP BY run_id
), last AS (
    SELECT max(run_id) AS run_id FROM etl.runs
)
SELECT r.run_id,
       r.started_at,
       r.finished_at,
       r.exit_code,
       CASE r.exit_code
           WHEN 0 THEN '成功'
           WHEN 64 THEN '用法错误'
           WHEN 65 THEN '部分输入被拒绝，其余已加载'
           WHEN 66 THEN '输入路径不存在'
           WHEN 69 THEN '数据库不可用'
           WHEN 70 THEN '内部错误'
           WHEN 75 THEN '另一次加载持有锁，或等待超时'
           WHEN 78 THEN '配置错误'
           WHEN 130 THEN '被中断（SIGINT）'
           WHEN 143 THEN '被终止（SIGTERM）'
           ELSE CASE WHEN r.exit_code IS NULL THEN '未结束（仍在运行或被强行终止）'
                     ELSE '退出码 ' || r.exit_code END
       END AS exit_text,
       r.run_id = last.run_id AS last_run,
       f.stage,
       f.publication_scope,
       coalesce(f.files_seen, 0)      AS files_seen,
       coalesce(f.files_loaded, 0)    AS files_loaded,
       coalesce(f.files_unchanged, 0) AS files_unchanged,
       coalesce(f.files_rejected, 0)  AS files_rejected,
       coalesce(f.files_skipped, 0)   AS files_skipped,
       coalesce(f.rows_read, 0)       AS rows_read,
       coalesce(f.rows_loaded, 0)     AS rows_loaded,
       coalesce(f.rows_rejected, 0)   AS rows_rejected,
       coalesce(w.withdrawals, 0)     AS withdrawals
FROM etl.runs r
CROSS JOIN last
LEFT JOIN f ON f.run_id = r.run_id
LEFT JOIN w ON w.run_id = r.run_id;

COMMENT ON VIEW mart.run_summary IS
    '每次加载运行的概况：按所见文件的阶段与公开范围各一行（文件数、行数、退出状态） / one row per run and (stage, publication scope) of the files it saw: files loaded, unchanged, rejected, rows, exit status; the rows of a run add up to its totals';

-- The rejects that still stand -------------------------------------------------

-- A reject stands until something later replaces what it is about:
--   * a file whose table is known (year, department, stage, kind): a later
--     run that processed that table again (loaded or rejected it; a run
--     that found it unchanged keeps the standing rejects, e.g. those of a
--     table loaded with --accept-partial), or a later withdrawal of that
--     stage of the submission;
--   * a file rejected whole inside a <year>/<dept>/ folder: a later run
--     that saw any file of that submission (the file was fixed, renamed or
--     removed, or it is rejected again by that run);
--   * a file of no submission (outside the layout, department unknown): a
--     later run that saw the same path.
CREATE VIEW mart.rejects AS
WITH rj AS (
    SELECT r.reject_id, r.run_id, r.file_path, r.line, r.column_name, r.raw_value,
           r.reason, r.message,
           fs.status, fs.stage, fs.table_kind, fs.publication_scope,
           coalesce(fs.identified, false) AS identified,
           coalesce(fs.fiscal_year, p.fiscal_year) AS fiscal_year,
           coalesce(fs.dept_code, p.dept_code) AS dept_code
    FROM etl.rejects r
    LEFT JOIN LATERAL (
        SELECT s.* FROM core.file_submission s
        WHERE s.run_id = r.run_id AND s.file_path = r.file_path
        ORDER BY s.file_id DESC LIMIT 1
    ) fs ON true
    LEFT JOIN LATERAL (
        SELECT m[1]::smallint AS fiscal_year, m[2] AS dept_code
        FROM regexp_match(r.file_path, '/([0-9]{4})/([0-9A-Za-z_-]{1,60})/[^/]+$') AS m
        WHERE m[1]::integer BETWEEN 1990 AND 2100
    ) p ON fs.file_id IS NULL
), latest_table AS (
    SELECT fiscal_year, dept_code, stage, table_kind, max(run_id) AS run_id
    FROM etl.files
    WHERE status <> 'unchanged' AND table_kind IS NOT NULL
    GROUP BY fiscal_year, dept_code, stage, table_kind
), latest_submission AS (
    SELECT fiscal_year, dept_code, max(run_id) AS run_id
    FROM core.file_submission
    WHERE dept_code IS NOT NULL
    GROUP BY fiscal_year, dept_code
), latest_path AS (
    SELECT file_path, max(run_id) AS run_id
    FROM etl.files
    GROUP BY file_path
), latest_withdrawal AS (
    SELECT fiscal_year, dept_code, stage, max(run_id) AS run_id
    FROM etl.withdrawals
    GROUP BY fiscal_year, dept_code, stage
)
SELECT rj.reject_id,
       rj.run_id,
       rj.fiscal_year,
       d.region,
       rj.dept_code,
       d.dept_name,
       rj.stage,
       rj.publication_scope,
       rj.table_kind,
       CASE WHEN tt.title IS NOT NULL
            THEN CASE WHEN rj.stage = 'final' THEN '决算' ELSE '' END
                 || '表' || tt.table_no || ' ' || tt.title END AS table_title,
       rj.file_path,
       substring(rj.file_path FROM '[^/]*$') AS file_name,
       rj.status AS file_status,
       nullif(rj.line, 0) AS line,
       nullif(rj.column_name, '') AS column_name,
       rj.raw_value,
       rj.reason,
       coalesce(rr.reason_text, rj.reason) AS reason_text,
       rj.message
FROM rj
LEFT JOIN core.department_region d ON d.dept_code = rj.dept_code
LEFT JOIN core.table_titles tt ON tt.stage = rj.stage AND tt.table_kind = rj.table_kind
LEFT JOIN core.reject_reasons rr ON rr.reason = rj.reason
LEFT JOIN latest_table lt
       ON rj.identified AND lt.fiscal_year = rj.fiscal_year AND lt.dept_code = rj.dept_code
      AND lt.stage = rj.stage AND lt.table_kind = rj.table_kind
LEFT JOIN latest_submission ls
       ON NOT rj.identified AND ls.fiscal_year = rj.fiscal_year AND ls.dept_code = rj.dept_code
LEFT JOIN latest_path lp
       ON NOT rj.identified AND rj.dept_code IS NULL AND lp.file_path = rj.file_path
LEFT JOIN latest_withdrawal lw
       ON lw.fiscal_year = rj.fiscal_year AND lw.dept_code = rj.dept_code AND lw.stage = rj.stage
WHERE rj.run_id >= coalesce(lt.run_id, ls.run_id, lp.run_id, rj.run_id)
  AND rj.run_id > coalesce(lw.run_id, 0);

COMMENT ON VIEW mart.rejects IS
    '仍然有效的被拒绝文件和行（文件、行号、列、原文、原因）：同一张表、同一提交或同一路径被之后的运行重新处理后即不再列出 / the rejected files and rows that still stand: file, line, column, raw text, reason; a reject is replaced when a later run processes the same table again (or, for a file rejected whole, sees its submission or path again)';

-- The failed checks --------------------------------------------------------------

-- The failed checks of the latest run that recorded checks for a
-- submission's stage: the ones mart.department_year.checks_failed (budget)
-- and mart.department_execution.checks_failed_final (决算) count.
CREATE VIEW mart.failed_checks AS
WITH latest AS (
    SELECT fiscal_year, dept_code, stage, max(run_id) AS run_id
    FROM etl.checks
    GROUP BY fiscal_year, dept_code, stage
), scope AS (
    SELECT fiscal_year, dept_code, stage,
           CASE WHEN count(DISTINCT publication_scope) = 1 THEN min(publication_scope) END AS scope
    FROM etl.loaded_tables
    GROUP BY fiscal_year, dept_code, stage
)
SELECT c.check_id,
       c.run_id,
       c.fiscal_year,
       d.region,
       c.dept_code,
       d.dept_name,
       c.stage,
       coalesce(lt.publication_scope, sc.scope) AS publication_scope,
       c.table_kind,
       CASE WHEN tt.title IS NOT NULL
            THEN CASE WHEN c.stage = 'final' THEN '决算' ELSE '' END
                 || '表' || tt.table_no || ' ' || tt.title END AS table_title,
       c.check_name,
       c.subject,
       c.expected,
       c.actual,
       (c.actual - c.expected)::numeric(18,2) AS difference,
       c.row_count,
       c.max_abs_difference,
       c.allowance,
       c.message
FROM etl.checks c
JOIN latest l
  ON l.fiscal_year = c.fiscal_year AND l.dept_code = c.dept_code AND l.stage = c.stage
 AND l.run_id = c.run_id
LEFT JOIN core.department_region d ON d.dept_code = c.dept_code
LEFT JOIN core.table_titles tt ON tt.stage = c.stage AND tt.table_kind = c.table_kind
LEFT JOIN etl.loaded_tables lt
       ON lt.fiscal_year = c.fiscal_year AND lt.dept_code = c.dept_code
      AND lt.stage = c.stage AND lt.table_kind = c.table_kind
LEFT JOIN scope sc
       ON sc.fiscal_year = c.fiscal_year AND sc.dept_code = c.dept_code AND sc.stage = c.stage
WHERE NOT c.passed;

COMMENT ON VIEW mart.failed_checks IS
    '未通过的核对：每个提交每个阶段最近一次核对中的未通过项（哪张表哪一行、应为、实际、差额） / failed checks of each submission and stage as last checked: which table and row, expected, actual, difference';
