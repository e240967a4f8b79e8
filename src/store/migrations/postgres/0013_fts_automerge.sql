-- SQLite lets its FTS5 indexes' segments pile up further before merging them. PostgreSQL has no
-- FTS5 tables (its GIN indexes merge their own pending lists). (The number is kept so both
-- databases report the same schema version.)
SELECT 1;
