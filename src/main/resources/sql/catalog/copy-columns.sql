-- The columns COPY moves for relation (?1, ?2): not dropped, not generated; whether each type
-- has binary send and receive functions (false means text-format COPY).
SELECT a.attname::text, (t.typsend <> 0 AND t.typreceive <> 0) AS has_binary
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE n.nspname = ? AND c.relname = ?
   AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
 ORDER BY a.attnum
