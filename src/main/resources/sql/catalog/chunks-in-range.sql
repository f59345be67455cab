-- The live chunks of hypertable ?1 whose time slice (dimension ?2) overlaps [lower, upper):
-- range_start < upper and (lower is null or lower < range_end); every slice of each selected
-- chunk, with the chunk's size (its compressed chunk table's included), its compressed chunk
-- table if it is compressed, whether it is an OSM (tiered) chunk, and whether its table uses the
-- hypercore access method (TimescaleDB 2.18 to 2.21; its rows are not plain heap rows).
SELECT c.id, c.schema_name, c.table_name, c.compressed_schema, c.compressed_table,
       d.id AS dimension_id, d.column_name, d.column_type::text AS column_type,
       s.range_start, s.range_end,
       COALESCE(pg_total_relation_size(to_regclass(format('%I.%I', c.schema_name, c.table_name))), 0)
         + CASE WHEN c.compressed_table IS NULL THEN 0 ELSE COALESCE(pg_total_relation_size(
             to_regclass(format('%I.%I', c.compressed_schema, c.compressed_table))), 0) END
         AS bytes,
       c.osm_chunk,
       EXISTS (SELECT 1 FROM pg_class r JOIN pg_am am ON am.oid = r.relam
                WHERE r.oid = to_regclass(format('%I.%I', c.schema_name, c.table_name))
                  AND am.amname = 'hypercore') AS hypercore
  FROM {chunk} c
  JOIN {chunk_slice} s ON s.chunk_id = c.id
  JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id
 WHERE c.hypertable_id = ?
   AND c.id IN (SELECT s2.chunk_id
                  FROM {chunk_slice} s2
                 WHERE s2.dimension_id = ?
                   AND s2.range_start < ?
                   AND (?::bigint IS NULL OR ?::bigint < s2.range_end))
 ORDER BY c.id, d.id
