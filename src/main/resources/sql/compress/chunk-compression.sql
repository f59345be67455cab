-- Compression state of chunk (?1, ?2): its status bits, its compressed chunk table if any
-- (schema, table), and its catalog id. Never casts names to regclass.
SELECT c.status, c.compressed_schema, c.compressed_table, c.id
  FROM {chunk} c
 WHERE c.schema_name = ? AND c.table_name = ?
