-- How many chunks of hypertable (?1, ?2) a chunk with the given slices (?3, the task's dimensions
-- as a jsonb array) would collide with (see the fragment).
WITH p AS (SELECT ?::text AS schema_name, ?::text AS table_name, ?::jsonb AS dimensions)
SELECT count(*)
  FROM p, {chunk} c
 WHERE c.id = ANY (ARRAY({chunks_overlapping(p.dimensions, p.schema_name, p.table_name)}))
