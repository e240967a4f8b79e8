-- Interactions (every touchpoint with a customer), follow-up tasks, and contact-center calls.
-- Times are UTC milliseconds. Every table has org_id; customer ids are re-pointed on merge
-- (store::RegisterCustomerReference in the interactions repository factory).

CREATE TABLE interactions (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  type TEXT NOT NULL,                -- call, visit, email, sms, wechat, letter, fax, meeting, event, note
  subtype TEXT NOT NULL DEFAULT '',  -- for events: tasting, factory_visit, year_end_thanks, ...
  direction TEXT NOT NULL,           -- inbound, outbound, internal
  channel TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT '',
  duration_seconds INTEGER NOT NULL DEFAULT 0,
  occurred_at INTEGER NOT NULL,
  call_id TEXT,                      -- set for calls logged by the contact center
  created_by INTEGER,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX interactions_time ON interactions(org_id, occurred_at, id);

-- The customers an interaction is about (one or more); occurred_at is copied here so the
-- timeline of one customer is one index range.
CREATE TABLE interaction_customers (
  org_id INTEGER NOT NULL,
  interaction_id INTEGER NOT NULL REFERENCES interactions(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  occurred_at INTEGER NOT NULL
);
CREATE INDEX interaction_customers_customer ON interaction_customers(org_id, customer_id, occurred_at, interaction_id);
CREATE INDEX interaction_customers_interaction ON interaction_customers(interaction_id);

CREATE TABLE interaction_participants (
  org_id INTEGER NOT NULL,
  interaction_id INTEGER NOT NULL REFERENCES interactions(id),
  kind TEXT NOT NULL,                -- user, contact
  ref_id INTEGER NOT NULL
);
CREATE INDEX interaction_participants_interaction ON interaction_participants(interaction_id);
CREATE INDEX interaction_participants_ref ON interaction_participants(org_id, kind, ref_id);

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  customer_id INTEGER REFERENCES customers(id),
  interaction_id INTEGER REFERENCES interactions(id),
  due_at INTEGER NOT NULL,
  remind_at INTEGER,
  reminder_dismissed_at INTEGER,
  assignee_id INTEGER NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,              -- open, done, cancelled
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tasks_assignee ON tasks(org_id, assignee_id, status, due_at, id);
CREATE INDEX tasks_customer ON tasks(org_id, customer_id);

-- The per-org signing secret of telephony events (HMAC-SHA256 needs the secret itself).
CREATE TABLE telephony_secrets (
  org_id INTEGER PRIMARY KEY,
  secret TEXT NOT NULL,
  created_by INTEGER,
  created_at INTEGER NOT NULL
);

-- Signatures seen inside the freshness window: an exact replay is refused.
CREATE TABLE telephony_signatures (
  org_id INTEGER NOT NULL,
  signature TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, signature)
);
CREATE INDEX telephony_signatures_seen ON telephony_signatures(seen_at);

-- Calls by the telephony system's call id: ringing -> answered -> hangup.
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  call_id TEXT NOT NULL,
  state TEXT NOT NULL,               -- ringing, answered, hangup
  from_number TEXT NOT NULL DEFAULT '',
  to_number TEXT NOT NULL DEFAULT '',
  direction TEXT NOT NULL,
  agent_id INTEGER,
  customer_id INTEGER REFERENCES customers(id),
  ringing_at INTEGER,
  answered_at INTEGER,
  hangup_at INTEGER,
  interaction_id INTEGER REFERENCES interactions(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX calls_call_id ON calls(org_id, call_id);
CREATE INDEX calls_customer ON calls(org_id, customer_id);  -- merges re-point calls
