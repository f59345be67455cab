-- How many chunks of hypertable (?1, ?2) have a time slice overlapping [?3, ?4).
SELECT count(DISTINCT c.id)
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
  JOIN _timescaledb_catalog.dimension_slice s ON s.dimension_id = d.id
  JOIN _timescaledb_catalog.chunk_constraint cc ON cc.dimension_slice_id = s.id
  JOIN _timescaledb_catalog.chunk c ON c.id = cc.chunk_id AND NOT c.dropped
 WHERE h.schema_name = ? AND h.table_name = ?
   AND d.id = (SELECT min(d2.id) FROM _timescaledb_catalog.dimension d2 WHERE d2.hypertable_id = h.id)
   AND s.range_start < ? AND ? < s.range_end
