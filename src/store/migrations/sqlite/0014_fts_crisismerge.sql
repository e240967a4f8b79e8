-- FTS5 merges a level's segments in bounded steps once `automerge` of them are there (16 since
-- 0013), but all at once, inside the commit that tips it, once `crisismerge` of them are (16 by
-- default). With both at 16 every merge was the all-at-once kind: on the million, a commit whose
-- merge reached the level of the large segment a bulk load leaves rewrote it whole, and every
-- create waited 4.5-7.4 s for that commit (64 wrk timeouts in `make bench`). With 64 the stepwise
-- merges keep the levels below it. 20 s of creates on fresh copies of the million, twice each
-- (docs/benchmarks.md, 2026-12-07): with 16, stalls of 4.6-6.2 s in every trial and 5,809-6,907
-- creates/s in the first run; with 64, no create over 0.4 s and 8,314-9,734/s.
INSERT INTO customers_fts(customers_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO customers_fts_tok(customers_fts_tok, rank) VALUES ('crisismerge', 64);
