-- The pending copy tasks, in claim order, without locking them (copy's preparation reads them
-- before any worker claims one).
SELECT priority, chunk_schema, chunk_name, hypertable_schema, hypertable_name,
       dimensions::text, filter, target_hypertable_schema, target_hypertable_name,
       COALESCE(source_bytes, 0)
  FROM __backfill.task
 WHERE worked IS NULL
 ORDER BY priority
