-- Churn records: how the lost profit was estimated ("clv", "trailing_margin", or '' when
-- unknown) and the name of who recorded it. Per-org retention settings (purchase-cycle factor k,
-- lost-profit horizon).
ALTER TABLE churn_records ADD COLUMN lost_profit_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE churn_records ADD COLUMN recorded_by_name TEXT NOT NULL DEFAULT '';
CREATE INDEX churn_records_open ON churn_records(org_id, won_back_at, customer_id);

CREATE TABLE retention_settings (
  org_id INTEGER PRIMARY KEY,
  overdue_factor REAL NOT NULL DEFAULT 2.0,
  horizon_months INTEGER NOT NULL DEFAULT 12,
  updated_at INTEGER NOT NULL
);
