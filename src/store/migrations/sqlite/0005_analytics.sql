-- Customer-value analytics: per-org settings, runs (with fit diagnostics) and per-customer
-- results keyed by run. A run's rows are written in batches while its status is 'running';
-- readers only look at the latest 'succeeded' run, so they see the old or the new results,
-- never a mix (the status flip is the swap).

CREATE TABLE analytics_settings (
  org_id INTEGER PRIMARY KEY,
  settings TEXT NOT NULL,            -- "key=value" lines; absent keys take the documented defaults
  updated_at INTEGER NOT NULL
);

CREATE TABLE analytics_runs (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  run_trigger TEXT NOT NULL,           -- cli, api, nightly, demo
  status TEXT NOT NULL,              -- running, succeeded, failed
  stage TEXT NOT NULL DEFAULT '',
  progress REAL NOT NULL DEFAULT 0,  -- 0..1
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  computed_at INTEGER NOT NULL,      -- snapshot time: orders up to the end of as_of are read
  as_of TEXT NOT NULL,               -- civil date (Asia/Shanghai), the calibration end
  model_version TEXT NOT NULL,
  customers INTEGER NOT NULL DEFAULT 0,
  orders INTEGER NOT NULL DEFAULT 0,
  diagnostics TEXT NOT NULL DEFAULT '{}',  -- JSON: fits, standard errors, AUC, settings used
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX analytics_runs_org ON analytics_runs(org_id, status, id);
-- Never two runs at once per org.
CREATE UNIQUE INDEX analytics_runs_one_running ON analytics_runs(org_id) WHERE status = 'running';

CREATE TABLE customer_values (
  org_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES analytics_runs(id) ON DELETE CASCADE,
  customer_id INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  relationship_level TEXT NOT NULL DEFAULT '',
  first_day INTEGER NOT NULL,        -- days since 1970-01-01 (Asia/Shanghai business day)
  last_day INTEGER NOT NULL,
  recency_days INTEGER NOT NULL,
  frequency INTEGER NOT NULL,
  monetary_minor INTEGER NOT NULL,
  margin_minor INTEGER NOT NULL,
  r_score INTEGER NOT NULL,
  f_score INTEGER NOT NULL,
  m_score INTEGER NOT NULL,
  segment TEXT NOT NULL,
  x INTEGER NOT NULL,
  t_x REAL NOT NULL,
  t_cal REAL NOT NULL,
  m_x REAL NOT NULL,
  p_alive REAL,
  expected_purchases REAL,
  expected_value_minor REAL,
  clv_minor REAL,
  cycle_days REAL,
  next_expected_day INTEGER,
  at_risk INTEGER NOT NULL DEFAULT 0,
  at_risk_reason TEXT NOT NULL DEFAULT '',
  churn_risk REAL,
  risk_reasons TEXT NOT NULL DEFAULT '[]',
  abc_class TEXT NOT NULL,
  online_share REAL NOT NULL DEFAULT 0
);
CREATE INDEX customer_values_run ON customer_values(org_id, run_id, customer_id);
CREATE INDEX customer_values_customer ON customer_values(org_id, customer_id, run_id);
