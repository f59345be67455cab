-- The columns of (?1, ?2) in ordinal order, as schema validation compares them.
SELECT column_name::text, data_type::text, udt_schema::text, udt_name::text
  FROM information_schema.columns
 WHERE table_schema = ? AND table_name = ?
 ORDER BY ordinal_position
