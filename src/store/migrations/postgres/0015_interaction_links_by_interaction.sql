-- The look-ups of an interaction's participants and customers by (org_id, interaction_id IN
-- (...)) get covering indexes, as on SQLite (where the planner, without statistics, read every
-- link row of the org instead). PostgreSQL plans from statistics, but the same index serves it.
CREATE INDEX interaction_participants_by_interaction ON interaction_participants(org_id, interaction_id, kind, ref_id);
CREATE INDEX interaction_customers_by_interaction ON interaction_customers(org_id, interaction_id, customer_id);
