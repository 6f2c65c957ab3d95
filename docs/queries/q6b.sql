-- Q6 (cont.): departments whose total carryover grew in each of two consecutive years
SELECT c.dept_name, c.fiscal_year, c.ending_prev_year, c.ending_amount
FROM mart.carryover_by_department c
JOIN mart.carryover_by_department p
  ON p.dept_code = c.dept_code AND p.fund_scope = c.fund_scope AND p.fiscal_year = c.fiscal_year - 1
WHERE c.fund_scope = 'all' AND c.ending_amount > c.ending_prev_year
  AND p.ending_amount > p.ending_prev_year;
