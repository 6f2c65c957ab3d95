-- Q9: economic 款 furthest from their budget
SELECT fiscal_year, dept_name, econ_code, econ_name, budget_personnel + budget_public AS budget,
       final_personnel + final_public AS final, execution_rate
FROM mart.economic_execution
WHERE final_personnel IS NOT NULL AND budget_personnel IS NOT NULL
  AND (execution_rate IS NULL OR execution_rate NOT BETWEEN 0.95 AND 1.05)
ORDER BY abs((final_personnel + final_public) - (budget_personnel + budget_public)) DESC;
