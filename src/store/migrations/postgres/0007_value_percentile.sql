-- Each customer's place in the run's value distribution (0 = lowest, 1 = highest): the complaint
-- desk's priority uses it as the "value percentile" part of customer importance.
ALTER TABLE customer_values ADD COLUMN value_percentile DOUBLE PRECISION;
