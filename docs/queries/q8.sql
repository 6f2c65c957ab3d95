-- Q8: structure: basic against project, personnel against public, in both stages
SELECT d.fiscal_year, d.dept_name,
       round(d.budget_basic / nullif(d.budget_total, 0), 4) AS budget_basic_share,
       round(d.final_basic / nullif(d.final_total, 0), 4) AS final_basic_share,
       round(sum(e.final_personnel) / nullif(sum(e.final_personnel + e.final_public), 0), 4)
           AS final_personnel_share
FROM mart.department_execution d
LEFT JOIN mart.economic_execution e ON e.fiscal_year = d.fiscal_year AND e.dept_code = d.dept_code
WHERE d.final_total IS NOT NULL
GROUP BY d.fiscal_year, d.dept_code, d.dept_name, d.budget_basic, d.budget_total, d.final_basic,
         d.final_total;
