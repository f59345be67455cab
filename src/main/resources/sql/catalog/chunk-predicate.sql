-- The CHECK constraints that bound chunk (?1, ?2) in each dimension, as boolean expressions
-- over the hypertable's columns (what TimescaleDB itself enforces on the chunk).
SELECT pg_get_constraintdef(con.oid)
  FROM _timescaledb_catalog.chunk c
  JOIN _timescaledb_catalog.chunk_constraint cc ON cc.chunk_id = c.id
  JOIN pg_constraint con ON con.conname = cc.constraint_name
  JOIN pg_class rel ON rel.oid = con.conrelid AND rel.relname = c.table_name
  JOIN pg_namespace n ON n.oid = rel.relnamespace AND n.nspname = c.schema_name
 WHERE c.schema_name = ? AND c.table_name = ?
   AND cc.dimension_slice_id IS NOT NULL
   AND con.contype = 'c'
 ORDER BY cc.dimension_slice_id
