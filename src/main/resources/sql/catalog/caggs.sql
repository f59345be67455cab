-- Continuous aggregates: which materialization hypertable is built on which hypertable.
SELECT ca.mat_hypertable_id, ca.raw_hypertable_id, ca.user_view_schema, ca.user_view_name
  FROM _timescaledb_catalog.continuous_agg ca
