-- The ids of the chunks of hypertable ($2, $3) that a chunk with slices $1 (a task's dimensions
-- as a jsonb array) would collide with: chunks that no dimension separates from it, i.e. whose
-- slice overlaps the given one in every dimension both have. A fragment, not a statement: others
-- put it in as {chunks_overlapping(DIMENSIONS, SCHEMA, TABLE)} (CatalogLayout.expand).
SELECT c.id
  FROM _timescaledb_catalog.hypertable h
  JOIN {chunk} c ON c.hypertable_id = h.id
 WHERE h.schema_name = $2 AND h.table_name = $3
   AND NOT EXISTS (
         SELECT 1
           FROM {chunk_slice} s
           JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id
           JOIN jsonb_to_recordset($1) AS x(column_name name, range_start bigint, range_end bigint)
             ON x.column_name = d.column_name
          WHERE s.chunk_id = c.id
            AND NOT (s.range_start < x.range_end AND x.range_start < s.range_end))
