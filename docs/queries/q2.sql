-- Q2: departments by general-budget execution, basic against project
SELECT fiscal_year, dept_name, budget_total, final_total, execution_rate, basic_rate, project_rate
FROM mart.department_execution
WHERE execution_rate IS NOT NULL
ORDER BY execution_rate;
