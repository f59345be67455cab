-- What copy reads of a source chunk in the chunk's snapshot, in one round trip. No row when chunk
-- (?3, ?4) no longer exists; else its compression state (status bits, compressed chunk table if
-- any, catalog id); the columns COPY moves, of its hypertable (?1, ?2): not dropped, not
-- generated, with whether each type has binary send and receive functions (false means text-format
-- COPY); and the CHECK constraints that bound the chunk in each dimension, as TimescaleDB enforces
-- them (the routed path deletes and reads by them).
SELECT c.status, c.compressed_schema, c.compressed_table, c.id,
       cols.names, cols.has_binary, checks.defs
  FROM {chunk} c
 CROSS JOIN LATERAL (
       SELECT array_agg(a.attname::text ORDER BY a.attnum) AS names,
              array_agg(t.typsend <> 0 AND t.typreceive <> 0 ORDER BY a.attnum) AS has_binary
         FROM pg_attribute a
         JOIN pg_class r ON r.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = r.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid
        WHERE n.nspname = ? AND r.relname = ?
          AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') cols
 CROSS JOIN LATERAL (
       SELECT array_agg(pg_get_constraintdef(con.oid) ORDER BY cs.dimension_id) AS defs
         FROM {chunk_slice} cs
         JOIN pg_namespace n ON n.nspname = c.schema_name
         JOIN pg_class rel ON rel.relnamespace = n.oid AND rel.relname = c.table_name
         JOIN pg_constraint con ON con.conrelid = rel.oid AND con.conname = cs.constraint_name
        WHERE cs.chunk_id = c.id
          AND con.contype = 'c') checks
 WHERE c.schema_name = ? AND c.table_name = ?
