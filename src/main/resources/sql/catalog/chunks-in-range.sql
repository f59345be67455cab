-- The non-dropped chunks of hypertable ?1 whose time slice (dimension ?2) overlaps
-- [lower, upper): range_start < upper and (lower is null or lower < range_end); every slice of
-- each selected chunk, with the chunk's size (its compressed chunk table's included).
SELECT c.id, c.schema_name, c.table_name, c.compressed_chunk_id,
       d.id AS dimension_id, d.column_name, d.column_type::text AS column_type,
       s.range_start, s.range_end,
       COALESCE(pg_total_relation_size(to_regclass(format('%I.%I', c.schema_name, c.table_name))), 0)
         + CASE WHEN z.id IS NULL THEN 0 ELSE COALESCE(pg_total_relation_size(
             to_regclass(format('%I.%I', z.schema_name, z.table_name))), 0) END
         AS bytes
  FROM _timescaledb_catalog.chunk c
  LEFT JOIN _timescaledb_catalog.chunk z ON z.id = c.compressed_chunk_id
  JOIN _timescaledb_catalog.chunk_constraint cc ON cc.chunk_id = c.id
  JOIN _timescaledb_catalog.dimension_slice s ON s.id = cc.dimension_slice_id
  JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id
 WHERE c.hypertable_id = ?
   AND NOT c.dropped
   AND c.id IN (SELECT cc2.chunk_id
                  FROM _timescaledb_catalog.chunk_constraint cc2
                  JOIN _timescaledb_catalog.dimension_slice s2 ON s2.id = cc2.dimension_slice_id
                 WHERE s2.dimension_id = ?
                   AND s2.range_start < ?
                   AND (?::bigint IS NULL OR ?::bigint < s2.range_end))
 ORDER BY c.id, d.id
