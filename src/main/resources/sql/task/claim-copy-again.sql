-- The same task again, for a retry, if it is still pending and free.
SELECT priority, chunk_schema, chunk_name, hypertable_schema, hypertable_name,
       dimensions::text, filter, target_hypertable_schema, target_hypertable_name,
       COALESCE(source_bytes, 0)
  FROM __backfill.task
 WHERE worked IS NULL
   AND priority = ?
   FOR NO KEY UPDATE SKIP LOCKED
