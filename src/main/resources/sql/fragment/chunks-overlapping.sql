-- The ids of the chunks of hypertable ($2, $3) that a chunk with slices $1 (a task's dimensions
-- as a jsonb array) would collide with: chunks that no dimension separates from it, i.e. whose
-- slice overlaps the given one in every dimension both have. A fragment, not a statement: others
-- put it in as {chunks_overlapping(DIMENSIONS, SCHEMA, TABLE)} (CatalogLayout.expand).
-- Read from the slices that overlap in a shared dimension, through TimescaleDB's index on
-- (dimension_id, range_start, range_end), not from every chunk of the hypertable: a chunk
-- collides when it has such a slice in each shared dimension. With no dimension shared, nothing
-- separates any chunk: all of them collide. As with chunks_with_slices, the ids may name dropped
-- chunks: callers read {chunk} c WHERE c.id = ANY (ARRAY(...)).
SELECT s.chunk_id
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
  JOIN jsonb_to_recordset($1) AS x(column_name name, range_start bigint, range_end bigint)
    ON x.column_name = d.column_name
  JOIN {chunk_slice} s
    ON s.dimension_id = d.id
   AND s.range_start < x.range_end
   AND x.range_start < s.range_end
 WHERE h.schema_name = $2 AND h.table_name = $3
 GROUP BY h.id, s.chunk_id
HAVING count(DISTINCT s.dimension_id) = (
         SELECT count(*)
           FROM _timescaledb_catalog.dimension d2
           JOIN jsonb_to_recordset($1) AS x2(column_name name) ON x2.column_name = d2.column_name
          WHERE d2.hypertable_id = h.id)
UNION
SELECT s.chunk_id
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
  JOIN {chunk_slice} s ON s.dimension_id = d.id
 WHERE h.schema_name = $2 AND h.table_name = $3
   AND NOT EXISTS (
         SELECT 1
           FROM _timescaledb_catalog.dimension d2
           JOIN jsonb_to_recordset($1) AS x2(column_name name) ON x2.column_name = d2.column_name
          WHERE d2.hypertable_id = h.id)
