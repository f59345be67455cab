-- Like cagg-watermarks, for TimescaleDB < 2.11, which has no watermark table but a function.
SELECT ca.mat_hypertable_id, _timescaledb_internal.cagg_watermark(ca.mat_hypertable_id),
       (SELECT d.column_type::text FROM _timescaledb_catalog.dimension d
         WHERE d.hypertable_id = ca.mat_hypertable_id ORDER BY d.id LIMIT 1) AS time_type
  FROM _timescaledb_catalog.continuous_agg ca
