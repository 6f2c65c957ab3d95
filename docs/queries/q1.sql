-- Q1: which 项 run under 90 % or over 100 % across departments, and how much money
SELECT fiscal_year, code, name, departments, budget_total, final_total, execution_rate,
       departments_under_90, departments_over_100
FROM mart.execution_rollup
WHERE level = '项' AND scope = 'general_budget'
  AND (execution_rate < 0.9 OR execution_rate > 1 OR execution_rate IS NULL)
ORDER BY fiscal_year, abs(variance) DESC;
