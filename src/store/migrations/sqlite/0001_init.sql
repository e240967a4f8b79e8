-- Kehu schema 1 (SQLite): organisations, identity, audit, customers, contacts, search.
-- Every table carries org_id; timestamps are UTC milliseconds since the epoch.

CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  created_at INTEGER NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_username ON users(username);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  lead_user_id INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams(org_id, name);

CREATE TABLE team_members (
  org_id INTEGER NOT NULL,
  team_id INTEGER NOT NULL REFERENCES teams(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(org_id, user_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(org_id, user_id);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys(key_hash);
CREATE INDEX api_keys_org ON api_keys(org_id);

CREATE TABLE idempotency_keys (
  org_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, user_id, idem_key)
);
-- Keys older than a day are deleted on every save: this index keeps that cheap.
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor_id INTEGER,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(org_id, entity, entity_id, id);

CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX categories_key ON categories(org_id, key);

CREATE TABLE custom_field_defs (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL,
  options TEXT NOT NULL,
  required INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX custom_field_defs_key ON custom_field_defs(org_id, key);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
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
  owner_id INTEGER,
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
  merged_into INTEGER,
  deleted_at INTEGER,
  erased_at INTEGER,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX customers_org_created ON customers(org_id, created_at, id);
CREATE INDEX customers_org_updated ON customers(org_id, updated_at, id);
CREATE INDEX customers_org_name ON customers(org_id, name_sort, id);
CREATE INDEX customers_owner ON customers(org_id, owner_id);
CREATE INDEX customers_category ON customers(org_id, category);
CREATE INDEX customers_name_fold ON customers(org_id, name_fold);
CREATE UNIQUE INDEX customers_external ON customers(org_id, external_id) WHERE external_id IS NOT NULL;

-- Index of live customers' normalised phones and emails: one holder per value and org.
CREATE TABLE customer_phones (
  org_id INTEGER NOT NULL,
  phone TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  PRIMARY KEY (org_id, phone)
);
CREATE INDEX customer_phones_customer ON customer_phones(customer_id);
CREATE TABLE customer_emails (
  org_id INTEGER NOT NULL,
  email TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  PRIMARY KEY (org_id, email)
);
CREATE INDEX customer_emails_customer ON customer_emails(customer_id);

CREATE TABLE customer_tags (
  org_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  PRIMARY KEY (org_id, tag, customer_id)
);
CREATE INDEX customer_tags_customer ON customer_tags(customer_id);

CREATE TABLE customer_shares (
  org_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (customer_id, user_id)
);
CREATE INDEX customer_shares_user ON customer_shares(org_id, user_id);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  phones TEXT NOT NULL DEFAULT '[]',
  emails TEXT NOT NULL DEFAULT '[]',
  note TEXT NOT NULL DEFAULT '',
  deleted_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_customer ON contacts(org_id, customer_id);

CREATE TABLE saved_views (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  query TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX saved_views_user ON saved_views(org_id, user_id);

-- Search: a trigram index over the folded search text (names in Simplified and pinyin, phones,
-- emails, organisation, tags) and a unicode61 index over the same text with every CJK
-- character as its own token, for one- and two-character Chinese terms and short prefixes.
-- Rows are written by the customer repository with rowid = customer id.
CREATE VIRTUAL TABLE customers_fts USING fts5(doc, tokenize = 'trigram');
CREATE VIRTUAL TABLE customers_fts_tok USING fts5(doc, tokenize = 'unicode61 remove_diacritics 0');
