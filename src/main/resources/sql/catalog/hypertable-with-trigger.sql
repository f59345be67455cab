-- Hypertable (?2, ?3) if it carries trigger ?1 (the cagg invalidation trigger): its id and
-- number of dimensions. No row when it has no such trigger (no cagg reads it).
SELECT h.id, h.num_dimensions
  FROM _timescaledb_catalog.hypertable h
  JOIN pg_namespace n ON n.nspname = h.schema_name
  JOIN pg_class r ON r.relnamespace = n.oid AND r.relname = h.table_name
  JOIN pg_trigger tg ON tg.tgrelid = r.oid AND tg.tgname = ?
 WHERE h.schema_name = ? AND h.table_name = ?
