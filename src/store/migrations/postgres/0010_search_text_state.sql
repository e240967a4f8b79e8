-- Which version of the search texts (domain/customers/customer_search.h, kSearchTextVersion)
-- each org's index was last rebuilt with. A server whose binary writes a newer version rebuilds
-- the org's texts in the background at start. Orgs that already have customers get version 1
-- here (the texts before 2716d13; some rows may be newer, and are rewritten alike); an org
-- without a row has version 2 (kFirstRecordedSearchTextVersion).
CREATE TABLE search_text_state (
  org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
  version INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);
INSERT INTO search_text_state(org_id, version, updated_at)
  SELECT o.id, 1, 0 FROM orgs o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.org_id = o.id);
