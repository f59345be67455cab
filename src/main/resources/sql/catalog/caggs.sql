-- Continuous aggregates: which materialization hypertable is built on which hypertable, the
-- parent cagg's materialization hypertable for hierarchical ones, the view (as stored and as
-- format('%I.%I') renders it, which --filter matches) and the materialization hypertable's name.
SELECT ca.mat_hypertable_id, ca.raw_hypertable_id, ca.parent_mat_hypertable_id,
       ca.user_view_schema::text, ca.user_view_name::text,
       format('%I.%I', ca.user_view_schema, ca.user_view_name) AS view_ident,
       h.schema_name::text, h.table_name::text
  FROM _timescaledb_catalog.continuous_agg ca
  JOIN _timescaledb_catalog.hypertable h ON h.id = ca.mat_hypertable_id
 ORDER BY ca.mat_hypertable_id
