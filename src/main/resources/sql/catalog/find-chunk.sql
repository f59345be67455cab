-- The chunk of hypertable (?2, ?3) whose slices equal the given dimensions exactly
-- (?1 = the task's dimensions as a jsonb array; see the fragment).
WITH p AS (SELECT ?::jsonb AS dimensions, ?::text AS schema_name, ?::text AS table_name)
SELECT c.schema_name, c.table_name
  FROM p, {chunk} c
 WHERE c.id = ANY (ARRAY({chunks_with_slices(p.dimensions, p.schema_name, p.table_name)}))
