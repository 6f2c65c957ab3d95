-- Q10: data quality: failed checks of each submission and stage, as last loaded
SELECT d.fiscal_year, d.dept_name, y.checks_failed AS budget_failed, d.checks_failed_final
FROM mart.department_execution d
LEFT JOIN mart.department_year y ON y.fiscal_year = d.fiscal_year AND y.dept_code = d.dept_code
ORDER BY 1, 2;
