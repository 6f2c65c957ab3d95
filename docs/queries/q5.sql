-- Q5: 三公 year over year: departments whose actual spending rose
SELECT fiscal_year, dept_name, total_final, final_prev_year, yoy_change
FROM mart.three_public_execution
WHERE yoy_change > 0
ORDER BY yoy_change DESC;
