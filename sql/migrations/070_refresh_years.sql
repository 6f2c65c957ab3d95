-- 070_refresh_years: the fiscal years whose cross-department aggregates a
-- run changed, written in the transaction that changed their facts and
-- cleared after etl.refresh_marts(years) recomputed them; year 0 stands for
-- every year (a change of the reference data: names, regions, units).  A
-- run killed before its refresh leaves them for the next run.
CREATE TABLE etl.refresh_years (
    fiscal_year smallint PRIMARY KEY
);

COMMENT ON TABLE etl.refresh_years IS
    '待重算汇总的年度（0：全部） / fiscal years whose aggregates await etl.refresh_marts (0: all)';
