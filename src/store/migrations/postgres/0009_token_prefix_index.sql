-- SQLite rebuilds its FTS5 token index with prefix indexes here. PostgreSQL has nothing to do:
-- a `word:*` tsquery is answered from the tsvector's GIN index directly. (The number is kept so
-- both databases report the same schema version.)
SELECT 1;
