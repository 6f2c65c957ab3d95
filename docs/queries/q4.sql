-- Q4: 三公 over budget, per department and category
SELECT fiscal_year, dept_name, c.category, c.budget_in_final, c.final
FROM mart.three_public_execution t
CROSS JOIN LATERAL (VALUES
    ('因公出国（境）费', outbound_travel_budget_in_final, outbound_travel_final),
    ('公务用车购置费', vehicle_purchase_budget_in_final, vehicle_purchase_final),
    ('公务用车运行费', vehicle_operation_budget_in_final, vehicle_operation_final),
    ('公务接待费', official_reception_budget_in_final, official_reception_final)
) c(category, budget_in_final, final)
WHERE t.over_budget AND c.final > c.budget_in_final
ORDER BY fiscal_year, dept_code;
