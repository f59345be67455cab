-- The copied, not yet verified task with the lowest priority that no other worker holds,
-- skipping tasks that already ended in this run (?1, a bigint array).
SELECT priority, chunk_schema, chunk_name, hypertable_schema, hypertable_name,
       dimensions::text, filter, target_hypertable_schema, target_hypertable_name,
       COALESCE(source_bytes, 0)
  FROM __backfill.task
 WHERE worked IS NOT NULL AND verified IS NULL
   AND priority <> ALL (?)
 ORDER BY priority
 LIMIT 1
   FOR NO KEY UPDATE SKIP LOCKED
