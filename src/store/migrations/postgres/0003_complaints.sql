-- The complaint desk: complaints and their events, escalation steps, routing, SLA policies, the
-- business calendar, in-app notifications and the email outbox. Times are UTC milliseconds;
-- durations (targets, elapsed) are business milliseconds.

CREATE TABLE complaint_categories (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX complaint_categories_key ON complaint_categories(org_id, key);

CREATE TABLE complaint_counters (
  org_id BIGINT NOT NULL,
  year BIGINT NOT NULL,
  last BIGINT NOT NULL,
  PRIMARY KEY (org_id, year)
);

CREATE TABLE complaints (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  number TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  channel TEXT NOT NULL,
  category TEXT NOT NULL,
  severity BIGINT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  assignee_id BIGINT,
  team_id BIGINT,
  customer_category TEXT NOT NULL DEFAULT '',
  vip BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  response_target_ms BIGINT NOT NULL DEFAULT 0,
  resolution_target_ms BIGINT NOT NULL DEFAULT 0,
  sla_elapsed_ms BIGINT NOT NULL DEFAULT 0,
  sla_running_since BIGINT,
  first_response_at BIGINT,
  response_elapsed_ms BIGINT,
  resolved_at BIGINT,
  resolution_elapsed_ms BIGINT,
  closed_at BIGINT,
  response_level BIGINT NOT NULL DEFAULT 0,
  resolution_level BIGINT NOT NULL DEFAULT 0,
  next_escalation_at BIGINT,
  root_cause TEXT NOT NULL DEFAULT '',
  resolution_note TEXT NOT NULL DEFAULT '',
  compensation_minor BIGINT,
  compensation_currency TEXT NOT NULL DEFAULT 'CNY',
  compensation_text TEXT NOT NULL DEFAULT '',
  reward_status TEXT NOT NULL DEFAULT '',
  reward_reference TEXT NOT NULL DEFAULT '',
  survey_expires_at BIGINT,
  csat BIGINT,
  nps BIGINT,
  survey_comment TEXT NOT NULL DEFAULT '',
  survey_answered_at BIGINT
);
CREATE UNIQUE INDEX complaints_number ON complaints(org_id, number);
CREATE INDEX complaints_customer ON complaints(org_id, customer_id, created_at);
CREATE INDEX complaints_assignee ON complaints(org_id, assignee_id, status);
CREATE INDEX complaints_team ON complaints(org_id, team_id, status);
CREATE INDEX complaints_created ON complaints(org_id, created_at);
-- The escalation pass reads only this index: open complaints with a step still to come.
CREATE INDEX complaints_next_escalation ON complaints(next_escalation_at) WHERE next_escalation_at IS NOT NULL;

CREATE TABLE complaint_events (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  complaint_id BIGINT NOT NULL REFERENCES complaints(id),
  at BIGINT NOT NULL,
  actor_id BIGINT,
  actor_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_status TEXT NOT NULL DEFAULT '',
  to_status TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  to_customer BIGINT NOT NULL DEFAULT 0,
  target TEXT NOT NULL DEFAULT '',
  step BIGINT NOT NULL DEFAULT 0,
  assignee_id BIGINT
);
CREATE INDEX complaint_events_complaint ON complaint_events(org_id, complaint_id, id);
CREATE INDEX complaint_events_time ON complaint_events(org_id, at, id);

-- One row per fired step: the unique key makes the escalation ladder once-only across restarts.
CREATE TABLE complaint_escalations (
  org_id BIGINT NOT NULL,
  complaint_id BIGINT NOT NULL REFERENCES complaints(id),
  target TEXT NOT NULL,
  step BIGINT NOT NULL,
  fired_at BIGINT NOT NULL,
  PRIMARY KEY (complaint_id, target, step)
);

CREATE TABLE service_routes (
  org_id BIGINT NOT NULL,
  customer_category TEXT NOT NULL,
  team_id BIGINT NOT NULL,
  PRIMARY KEY (org_id, customer_category)
);

CREATE TABLE service_team_settings (
  org_id BIGINT NOT NULL,
  team_id BIGINT NOT NULL,
  strategy TEXT NOT NULL,
  last_assignee_id BIGINT,
  PRIMARY KEY (org_id, team_id)
);

CREATE TABLE sla_policies (
  org_id BIGINT NOT NULL,
  severity BIGINT NOT NULL,
  customer_category TEXT NOT NULL,
  vip BIGINT NOT NULL,
  response_minutes BIGINT NOT NULL,
  resolution_minutes BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, severity, customer_category, vip)
);

CREATE TABLE business_hours (
  org_id BIGINT PRIMARY KEY,
  time_zone TEXT NOT NULL,
  utc_offset_minutes BIGINT NOT NULL,
  weekdays BIGINT NOT NULL,
  start_minute BIGINT NOT NULL,
  end_minute BIGINT NOT NULL
);

CREATE TABLE calendar_days (
  org_id BIGINT NOT NULL,
  day TEXT NOT NULL,               -- YYYY-MM-DD, local
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,              -- holiday or workday (a make-up working day, 调休)
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (org_id, day)
);
CREATE INDEX calendar_days_year ON calendar_days(org_id, year);

-- Years whose shipped holidays were written once (an edited year is never reseeded).
CREATE TABLE calendar_seeded (
  org_id BIGINT NOT NULL,
  year BIGINT NOT NULL,
  seeded_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, year)
);

CREATE TABLE service_secrets (
  org_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (org_id, name)
);

CREATE TABLE notifications (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  complaint_id BIGINT,
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(org_id, user_id, id);

CREATE TABLE user_email_addresses (
  org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY (org_id, user_id)
);

CREATE TABLE email_outbox (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  user_id BIGINT,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,            -- queued, sent, failed, no_address
  attempts BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX email_outbox_org ON email_outbox(org_id, id);
CREATE INDEX email_outbox_queued ON email_outbox(id) WHERE status = 'queued';
