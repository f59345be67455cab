-- The live chunks of hypertable (?2, ?3) whose time slice overlaps [?4, ?5): where rows of
-- that range can land. With each chunk's time slice, whether it carries trigger ?1, and whether
-- it is compressed.
SELECT c.schema_name, c.table_name, s.range_start, s.range_end,
       EXISTS (SELECT 1 FROM pg_trigger tg
                WHERE tg.tgrelid = to_regclass(format('%I.%I', c.schema_name, c.table_name))
                  AND tg.tgname = ?) AS has_trigger,
       c.compressed_table IS NOT NULL AS compressed
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
  JOIN {chunk_slice} s ON s.dimension_id = d.id
  JOIN {chunk} c ON c.id = s.chunk_id
 WHERE h.schema_name = ? AND h.table_name = ?
   AND d.id = (SELECT min(d2.id) FROM _timescaledb_catalog.dimension d2 WHERE d2.hypertable_id = h.id)
   AND s.range_start < ? AND ? < s.range_end
 ORDER BY s.range_start
