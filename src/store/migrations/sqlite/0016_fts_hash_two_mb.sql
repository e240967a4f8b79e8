-- FTS5 keeps a write's new index entries in a hash table until they pass `hashsize`, then
-- writes them out as a segment. 0012 raised it from 1 MB to 16 MB so that bulk writes made
-- fewer segments to merge, at a time when those merges read their pages back through a 64 MB
-- page cache. Bulk writes now run with a 1 GB cache (Database::WriteBulk), and a large hash
-- costs more than the merges: FTS5's hash sends a great many of the short keys (trigrams,
-- pinyin prefixes) to the same chains, and a writer then spent ~12 % of its time walking them.
-- An import of 300,000 rows, two alternations: 16 MB 35.0 and 28.3 s, 4 MB 25.6 and 25.3 s,
-- 2 MB 23.0 and 24.9 s, 1 MB 22.0 and 23.2 s (docs/benchmarks.md, 2026-12-07). Creates, whose
-- batches commit long before 2 MB, are not affected.
INSERT INTO customers_fts(customers_fts, rank) VALUES ('hashsize', 2097152);
INSERT INTO customers_fts_tok(customers_fts_tok, rank) VALUES ('hashsize', 2097152);
