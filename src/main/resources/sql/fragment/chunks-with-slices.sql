-- The ids of the chunks of hypertable ($2, $3) whose slices equal $1 exactly (a task's dimensions
-- as a jsonb array). The hypertable must have exactly that many dimensions, so a chunk covering
-- only part of the source chunk's space is never chosen. A fragment, not a statement: others put
-- it in as {chunks_with_slices(DIMENSIONS, SCHEMA, TABLE)}, each argument an SQL expression
-- (CatalogLayout.expand), so that this rule has one home.
-- Read from the slices, through TimescaleDB's index on (dimension_id, range_start, range_end), so
-- that a lookup costs the same with 30 chunks or 30,000. The ids may name dropped chunks (before
-- 2.26 they keep their slices): callers read the chunks as {chunk} c WHERE c.id = ANY (ARRAY(...)),
-- which keeps the dropped ones out and the lookup on the chunk's primary key (with IN, the planner
-- joined every chunk of the hypertable first).
SELECT s.chunk_id
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
  JOIN jsonb_to_recordset($1)
       AS x(column_name name, column_type text, range_start bigint, range_end bigint)
    ON x.column_name = d.column_name
   AND x.column_type = d.column_type::text
  JOIN {chunk_slice} s
    ON s.dimension_id = d.id
   AND s.range_start = x.range_start
   AND s.range_end = x.range_end
 WHERE h.schema_name = $2 AND h.table_name = $3
   AND h.num_dimensions = jsonb_array_length($1)
 GROUP BY s.chunk_id
HAVING count(DISTINCT s.slice_id) = jsonb_array_length($1)
