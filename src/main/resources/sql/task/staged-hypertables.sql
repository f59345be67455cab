-- The hypertables the task list holds chunks of, with their task counts (for messages).
SELECT format('%I.%I', hypertable_schema, hypertable_name), count(*)
  FROM __backfill.task
 GROUP BY 1
 ORDER BY 1
