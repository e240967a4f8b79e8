-- SQLite raises the in-memory size of its FTS5 indexes' pending writes. PostgreSQL has no FTS5
-- tables (its GIN indexes have their own pending list). (The number is kept so both databases
-- report the same schema version.)
SELECT 1;
