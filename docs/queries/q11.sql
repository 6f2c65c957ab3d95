-- Q11: whom to call: rejected files and rows, failed checks, per department
SELECT fiscal_year, dept_code, dept_name,
       count(DISTINCT file_path) FILTER (WHERE kind = 'reject' AND file_status = 'rejected') AS files_rejected,
       count(*) FILTER (WHERE kind = 'reject' AND line IS NOT NULL) AS rows_rejected,
       count(*) FILTER (WHERE kind = 'check') AS checks_failed,
       string_agg(DISTINCT what, '；') AS what
FROM (SELECT 'reject' AS kind, fiscal_year, dept_code, dept_name, file_path, file_status, line,
             file_name || coalesce(':' || line, '') || ' ' || reason_text AS what
      FROM mart.rejects
      UNION ALL
      SELECT 'check', fiscal_year, dept_code, dept_name, NULL, NULL, NULL, table_title || ' ' || check_name
      FROM mart.failed_checks) x
WHERE dept_code IS NOT NULL
GROUP BY fiscal_year, dept_code, dept_name
ORDER BY 1, 2;
