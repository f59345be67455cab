-- Hypertables whose %I-name matches the filter, plus the materialization hypertables of
-- continuous aggregates whose view %I-name matches. The regex is bound as data (? = filter).
SELECT h.id
  FROM _timescaledb_catalog.hypertable h
 WHERE format('%I.%I', h.schema_name, h.table_name) ~* ?
UNION
SELECT ca.mat_hypertable_id
  FROM _timescaledb_catalog.continuous_agg ca
 WHERE format('%I.%I', ca.user_view_schema, ca.user_view_name) ~* ?
