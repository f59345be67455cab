-- The watermark of every continuous aggregate (TimescaleDB >= 2.11 keeps it in a table) and the
-- type of its materialization hypertable's time column, which refresh bounds are rendered in.
SELECT ca.mat_hypertable_id, w.watermark,
       (SELECT d.column_type::text FROM _timescaledb_catalog.dimension d
         WHERE d.hypertable_id = ca.mat_hypertable_id ORDER BY d.id LIMIT 1) AS time_type
  FROM _timescaledb_catalog.continuous_agg ca
  LEFT JOIN _timescaledb_catalog.continuous_aggs_watermark w
         ON w.mat_hypertable_id = ca.mat_hypertable_id
