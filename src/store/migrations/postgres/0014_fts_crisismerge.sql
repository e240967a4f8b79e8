-- SQLite's FTS5 indexes merge their segments in steps rather than all at once. PostgreSQL has no
-- FTS5 tables. (The number is kept so both databases report the same schema version.)
SELECT 1;
