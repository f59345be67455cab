-- Every hypertable with its dimensions (internal compressed hypertables have none).
SELECT h.id, h.schema_name, h.table_name,
       d.id AS dimension_id, d.column_name, d.column_type::text AS column_type,
       d.interval_length IS NOT NULL AS is_open
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
 ORDER BY h.id, d.id
