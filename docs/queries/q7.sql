-- Q7: revenue by source, budget (table 2) against final (决算 table 1)
SELECT coalesce(b.fiscal_year, f.fiscal_year) AS fiscal_year,
       coalesce(b.dept_name, f.dept_name) AS dept_name,
       coalesce(b.fund_source_name, f.fund_source_name) AS source,
       b.amount AS budget, f.amount AS final
FROM mart.revenue_by_source b
FULL JOIN mart.final_revenue_by_source f
  ON f.fiscal_year = b.fiscal_year AND f.dept_code = b.dept_code AND f.fund_source = b.fund_source
WHERE coalesce(b.dept_code, f.dept_code) IN
      (SELECT dept_code FROM mart.final_revenue_by_source)
ORDER BY 1, 2, 3;
