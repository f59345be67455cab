-- The dimension columns of hypertable (?1, ?2), by dimension id.
SELECT d.column_name::text
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
 WHERE h.schema_name = ? AND h.table_name = ?
 ORDER BY d.id
