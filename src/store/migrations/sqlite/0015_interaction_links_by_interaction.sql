-- An interaction's participants and customers are read by (org_id, interaction_id IN (...)) for
-- every page of a timeline and every screen pop. With only the single-column interaction_id
-- indexes, SQLite (which plans without statistics) took the indexes that start with org_id and
-- read every link row of the org, then sorted: 9-13 ms a pop on a 100,000-customer demo with
-- 67,764 interactions, growing with them. These covering indexes answer both look-ups directly
-- (docs/benchmarks.md, 2026-12-07).
CREATE INDEX interaction_participants_by_interaction ON interaction_participants(org_id, interaction_id, kind, ref_id);
CREATE INDEX interaction_customers_by_interaction ON interaction_customers(org_id, interaction_id, customer_id);
