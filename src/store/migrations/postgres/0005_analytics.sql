-- Customer-value analytics: per-org settings, runs (with fit diagnostics) and per-customer
-- results keyed by run. A run's rows are written in batches while its status is 'running';
-- readers only look at the latest 'succeeded' run, so they see the old or the new results,
-- never a mix (the status flip is the swap).

CREATE TABLE analytics_settings (
  org_id BIGINT PRIMARY KEY,
  settings TEXT NOT NULL,            -- "key=value" lines; absent keys take the documented defaults
  updated_at BIGINT NOT NULL
);

CREATE TABLE analytics_runs (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  run_trigger TEXT NOT NULL,           -- cli, api, nightly, demo
  status TEXT NOT NULL,              -- running, succeeded, failed
  stage TEXT NOT NULL DEFAULT '',
  progress DOUBLE PRECISION NOT NULL DEFAULT 0,  -- 0..1
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  computed_at BIGINT NOT NULL,      -- snapshot time: orders up to the end of as_of are read
  as_of TEXT NOT NULL,               -- civil date (Asia/Shanghai), the calibration end
  model_version TEXT NOT NULL,
  customers BIGINT NOT NULL DEFAULT 0,
  orders BIGINT NOT NULL DEFAULT 0,
  diagnostics TEXT NOT NULL DEFAULT '{}',  -- JSON: fits, standard errors, AUC, settings used
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX analytics_runs_org ON analytics_runs(org_id, status, id);
-- Never two runs at once per org.
CREATE UNIQUE INDEX analytics_runs_one_running ON analytics_runs(org_id) WHERE status = 'running';

CREATE TABLE customer_values (
  org_id BIGINT NOT NULL,
  run_id BIGINT NOT NULL REFERENCES analytics_runs(id) ON DELETE CASCADE,
  customer_id BIGINT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  relationship_level TEXT NOT NULL DEFAULT '',
  first_day INTEGER NOT NULL,        -- days since 1970-01-01 (Asia/Shanghai business day)
  last_day INTEGER NOT NULL,
  recency_days INTEGER NOT NULL,
  frequency INTEGER NOT NULL,
  monetary_minor BIGINT NOT NULL,
  margin_minor BIGINT NOT NULL,
  r_score INTEGER NOT NULL,
  f_score INTEGER NOT NULL,
  m_score INTEGER NOT NULL,
  segment TEXT NOT NULL,
  x INTEGER NOT NULL,
  t_x DOUBLE PRECISION NOT NULL,
  t_cal DOUBLE PRECISION NOT NULL,
  m_x DOUBLE PRECISION NOT NULL,
  p_alive DOUBLE PRECISION,
  expected_purchases DOUBLE PRECISION,
  expected_value_minor DOUBLE PRECISION,
  clv_minor DOUBLE PRECISION,
  cycle_days DOUBLE PRECISION,
  next_expected_day INTEGER,
  at_risk INTEGER NOT NULL DEFAULT 0,
  at_risk_reason TEXT NOT NULL DEFAULT '',
  churn_risk DOUBLE PRECISION,
  risk_reasons TEXT NOT NULL DEFAULT '[]',
  abc_class TEXT NOT NULL,
  online_share DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX customer_values_run ON customer_values(org_id, run_id, customer_id);
CREATE INDEX customer_values_customer ON customer_values(org_id, customer_id, run_id);
