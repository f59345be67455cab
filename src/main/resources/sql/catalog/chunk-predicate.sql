-- The CHECK constraints that bound chunk (?1, ?2) in each dimension, as boolean expressions
-- over the hypertable's columns (what TimescaleDB itself enforces on the chunk).
SELECT pg_get_constraintdef(con.oid)
  FROM {chunk} c
  JOIN {chunk_slice} cs ON cs.chunk_id = c.id
  JOIN pg_namespace n ON n.nspname = c.schema_name
  JOIN pg_class rel ON rel.relnamespace = n.oid AND rel.relname = c.table_name
  JOIN pg_constraint con ON con.conrelid = rel.oid AND con.conname = cs.constraint_name
 WHERE c.schema_name = ? AND c.table_name = ?
   AND con.contype = 'c'
 ORDER BY cs.dimension_id
