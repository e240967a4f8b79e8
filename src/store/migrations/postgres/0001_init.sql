-- Kehu schema 1 (PostgreSQL): organisations, identity, audit, customers, contacts, search.
-- Every table carries org_id; timestamps are UTC milliseconds since the epoch (BIGINT).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE orgs (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_username ON users(username);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE teams (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  lead_user_id BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams(org_id, name);

CREATE TABLE team_members (
  org_id BIGINT NOT NULL,
  team_id BIGINT NOT NULL REFERENCES teams(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(org_id, user_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(org_id, user_id);

CREATE TABLE api_keys (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys(key_hash);
CREATE INDEX api_keys_org ON api_keys(org_id);

CREATE TABLE idempotency_keys (
  org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, user_id, idem_key)
);
-- Keys older than a day are deleted on every save: this index keeps that cheap.
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  actor_id BIGINT,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(org_id, entity, entity_id, id);

CREATE TABLE categories (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX categories_key ON categories(org_id, key);

CREATE TABLE custom_field_defs (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL,
  options TEXT NOT NULL,
  required INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX custom_field_defs_key ON custom_field_defs(org_id, key);

CREATE TABLE customers (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  family_name TEXT NOT NULL DEFAULT '',
  given_name TEXT NOT NULL DEFAULT '',
  gender TEXT NOT NULL DEFAULT 'unknown',
  birthday TEXT,
  birthday_lunar INTEGER NOT NULL DEFAULT 0,
  category TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL,
  relationship_level TEXT NOT NULL,
  owner_id BIGINT,
  tags TEXT NOT NULL DEFAULT '[]',
  source_channel TEXT NOT NULL DEFAULT '',
  vip INTEGER NOT NULL DEFAULT 0,
  external_id TEXT,
  organization TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  province TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  district TEXT NOT NULL DEFAULT '',
  street TEXT NOT NULL DEFAULT '',
  phones TEXT NOT NULL DEFAULT '[]',
  emails TEXT NOT NULL DEFAULT '[]',
  consents TEXT NOT NULL DEFAULT '[]',
  custom_fields TEXT NOT NULL DEFAULT '{}',
  name_sort TEXT NOT NULL DEFAULT '',
  name_fold TEXT NOT NULL DEFAULT '',
  merged_into BIGINT,
  deleted_at BIGINT,
  erased_at BIGINT,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  -- search: folded text for trigram search, tokens (every CJK character its own word) for
  -- one- and two-character Chinese terms and short prefixes.
  search_doc TEXT NOT NULL DEFAULT '',
  search_tok TSVECTOR
);
CREATE INDEX customers_org_created ON customers(org_id, created_at, id);
CREATE INDEX customers_org_updated ON customers(org_id, updated_at, id);
CREATE INDEX customers_org_name ON customers(org_id, name_sort, id);
CREATE INDEX customers_owner ON customers(org_id, owner_id);
CREATE INDEX customers_category ON customers(org_id, category);
CREATE INDEX customers_name_fold ON customers(org_id, name_fold);
CREATE UNIQUE INDEX customers_external ON customers(org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX customers_search_trgm ON customers USING gin (search_doc gin_trgm_ops);
CREATE INDEX customers_search_tok ON customers USING gin (search_tok);

CREATE TABLE customer_phones (
  org_id BIGINT NOT NULL,
  phone TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  PRIMARY KEY (org_id, phone)
);
CREATE INDEX customer_phones_customer ON customer_phones(customer_id);
CREATE TABLE customer_emails (
  org_id BIGINT NOT NULL,
  email TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  PRIMARY KEY (org_id, email)
);
CREATE INDEX customer_emails_customer ON customer_emails(customer_id);

CREATE TABLE customer_tags (
  org_id BIGINT NOT NULL,
  tag TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  PRIMARY KEY (org_id, tag, customer_id)
);
CREATE INDEX customer_tags_customer ON customer_tags(customer_id);

CREATE TABLE customer_shares (
  org_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (customer_id, user_id)
);
CREATE INDEX customer_shares_user ON customer_shares(org_id, user_id);

CREATE TABLE contacts (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  phones TEXT NOT NULL DEFAULT '[]',
  emails TEXT NOT NULL DEFAULT '[]',
  note TEXT NOT NULL DEFAULT '',
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX contacts_customer ON contacts(org_id, customer_id);

CREATE TABLE saved_views (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  query TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX saved_views_user ON saved_views(org_id, user_id);
