-- Logs the inclusive internal range [?2, ?3] of the continuous aggregate with materialization
-- hypertable ?1 as invalid, as TimescaleDB's own refresh would: for releases whose refresh
-- cannot be forced (before 2.22).
INSERT INTO _timescaledb_catalog.continuous_aggs_materialization_invalidation_log
       (materialization_id, lowest_modified_value, greatest_modified_value)
VALUES (?, ?, ?)
