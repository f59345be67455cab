-- The hypertables that continuous aggregate materialization hypertable ?1.?2, or a cagg below
-- it, reads and whose changes TimescaleDB 2.22 decodes from the WAL instead of logging them with
-- its trigger (timescaledb.invalidate_using = 'wal'): qualified name and time column, the pairs
-- the invalidation plugin takes.
WITH RECURSIVE chain AS (
    SELECT ca.mat_hypertable_id, ca.raw_hypertable_id, ca.parent_mat_hypertable_id
      FROM _timescaledb_catalog.continuous_agg ca
      JOIN _timescaledb_catalog.hypertable h ON h.id = ca.mat_hypertable_id
     WHERE h.schema_name = ? AND h.table_name = ?
    UNION ALL
    SELECT p.mat_hypertable_id, p.raw_hypertable_id, p.parent_mat_hypertable_id
      FROM _timescaledb_catalog.continuous_agg p
      JOIN chain c ON p.mat_hypertable_id = c.parent_mat_hypertable_id
)
SELECT format('%I.%I', h.schema_name, h.table_name),
       (SELECT d.column_name::text FROM _timescaledb_catalog.dimension d
         WHERE d.hypertable_id = h.id ORDER BY d.id LIMIT 1)
  FROM chain c
  JOIN _timescaledb_catalog.hypertable h ON h.id = c.raw_hypertable_id
 WHERE NOT EXISTS (SELECT 1 FROM pg_trigger tg
                    WHERE tg.tgrelid = format('%I.%I', h.schema_name, h.table_name)::regclass
                      AND tg.tgname = 'ts_cagg_invalidation_trigger')
