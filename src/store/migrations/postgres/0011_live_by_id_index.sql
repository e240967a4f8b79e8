-- SQLite adds a narrow index of live customers by id for sorting a search's matches. PostgreSQL
-- has nothing to do: it searches with one statement over its trigram and tsvector indexes. (The
-- number is kept so both databases report the same schema version.)
SELECT 1;
