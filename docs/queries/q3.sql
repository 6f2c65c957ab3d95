-- Q3: mid-year additions (no initial budget) and items not executed
SELECT fiscal_year, dept_name, item_code, item_name, budget_total, final_total,
       CASE WHEN no_initial_budget THEN '年中追加' ELSE '未执行' END AS what
FROM mart.execution_by_function
WHERE scope = 'general_budget' AND (no_initial_budget OR not_executed)
ORDER BY fiscal_year, dept_code, item_code;
