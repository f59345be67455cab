-- Compression state of chunk (?1, ?2): its status bits and its compressed chunk table, if any
-- (schema, table, compressed chunk id). Never casts names to regclass.
SELECT c.status, cc.schema_name::text, cc.table_name::text, cc.id
  FROM _timescaledb_catalog.chunk c
  LEFT JOIN _timescaledb_catalog.chunk cc ON cc.id = c.compressed_chunk_id
 WHERE c.schema_name = ? AND c.table_name = ? AND NOT c.dropped
