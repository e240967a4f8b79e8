-- SQLite's FTS5 indexes buffer 2 MB of a write's entries. PostgreSQL has no FTS5 tables. (The
-- number is kept so both databases report the same schema version.)
SELECT 1;
