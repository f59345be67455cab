-- Whether this TimescaleDB keeps cagg watermarks in a table (>= 2.11); to_regclass on a text
-- name never fails for a missing relation.
SELECT to_regclass('_timescaledb_catalog.continuous_aggs_watermark') IS NOT NULL
