-- Orders (the raw material of customer value) and churn records (customers who left, and why).
-- Amounts are integers in minor units (fen for CNY). Times are UTC milliseconds.

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  external_id TEXT,
  ordered_at INTEGER NOT NULL,
  channel TEXT NOT NULL,             -- online, store, group_purchase, distributor, consignment
  currency TEXT NOT NULL DEFAULT 'CNY',
  amount_minor INTEGER NOT NULL,     -- total of the lines (or the order amount when no lines)
  cost_minor INTEGER,                -- cost of goods, for margin; NULL when unknown
  status TEXT NOT NULL,              -- placed, paid, returned, cancelled
  note TEXT NOT NULL DEFAULT '',
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_customer ON orders(org_id, customer_id, ordered_at, id);
CREATE INDEX orders_time ON orders(org_id, ordered_at, id);
CREATE UNIQUE INDEX orders_external ON orders(org_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE order_lines (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no INTEGER NOT NULL,
  sku TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  quantity INTEGER NOT NULL,
  unit_price_minor INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  cost_minor INTEGER
);
CREATE INDEX order_lines_order ON order_lines(order_id, line_no);

CREATE TABLE churn_records (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  churned_on TEXT NOT NULL,          -- civil date, YYYY-MM-DD
  reason TEXT NOT NULL,              -- price, offer, service, market, reputation, other
  note TEXT NOT NULL DEFAULT '',
  recorded_by INTEGER,
  lost_profit_minor INTEGER,         -- expected margin over the horizon at the time of recording
  won_back_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX churn_records_customer ON churn_records(org_id, customer_id);
CREATE INDEX churn_records_date ON churn_records(org_id, churned_on, id);
