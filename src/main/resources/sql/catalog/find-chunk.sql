-- The chunk of hypertable (?2, ?3) whose slices equal the given dimensions exactly
-- (?1 = the task's dimensions as a jsonb array). The hypertable must have exactly that many
-- dimensions, so a chunk covering only part of the source chunk's space is never chosen.
SELECT c.schema_name, c.table_name
  FROM _timescaledb_catalog.hypertable h
  JOIN {chunk} c ON c.hypertable_id = h.id
  JOIN {chunk_slice} s ON s.chunk_id = c.id
  JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id
  JOIN jsonb_to_recordset(?::jsonb)
       AS x(column_name name, column_type text, range_start bigint, range_end bigint)
    ON x.column_name = d.column_name
   AND x.column_type = d.column_type::text
   AND x.range_start = s.range_start
   AND x.range_end = s.range_end
 WHERE h.schema_name = ? AND h.table_name = ?
   AND h.num_dimensions = ?
 GROUP BY c.id, c.schema_name, c.table_name
HAVING count(DISTINCT s.slice_id) = ?
