-- Every commit writes the new entries of SQLite's two FTS5 indexes as a new segment, and FTS5
-- merges the segments of a level once `automerge` of them are there (4 by default). Creates
-- commit in batches of a few dozen, so they made many small segments and merged them again and
-- again: the index's sync at commit was ~22 % of the server's CPU under POST /customers (7 %
-- with 16, FTS5's largest). 64 connections of creates on the million, the same binary on copies
-- with 4 and 16: 3,750-4,130 against 4,550-5,130 a second (docs/benchmarks.md, 2026-12-06).
-- The cost is more segments for a search to look into while writes keep coming; kehu serve
-- merges them back (CustomerRepository::MergeSearchIndex, cli/search_merger.h) as soon as the
-- writer has been idle for a moment. Bulk writes (imports, kehu demo) are not affected: their
-- 16 MB of pending entries (0012) make few segments anyway.
INSERT INTO customers_fts(customers_fts, rank) VALUES ('automerge', 16);
INSERT INTO customers_fts_tok(customers_fts_tok, rank) VALUES ('automerge', 16);
