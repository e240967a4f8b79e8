-- A narrow index of live customers by id with their sort keys and owner. Sorting a search's
-- hundreds of matches (or the customers a salesperson sees) by creation or update time reads each
-- one's key from here, about 150 entries a page and 28 MB on a million customers, so it stays in
-- a reader's cache, instead of one random page of the table per customer (13 rows a page,
-- 320 MB). The page's rows are read afterwards by id (store/customer_repository.cc, SortKeyById).
CREATE INDEX customers_live_by_id ON customers(id, org_id, created_at, updated_at, owner_id)
  WHERE deleted_at IS NULL AND merged_into IS NULL;
