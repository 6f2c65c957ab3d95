-- Q6: carryovers by department and fund, their ratio to the year's income,
-- and those that grew two years running
SELECT fiscal_year, dept_name, fund_scope, beginning_amount, ending_amount,
       round(ending_amount / nullif(beginning_amount + income_amount, 0), 4) AS carryover_ratio,
       ending_amount > ending_prev_year AS grew
FROM mart.carryover_by_department
ORDER BY fiscal_year, dept_code, fund_scope;
