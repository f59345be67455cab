-- The failures: copies that failed (permanent errors, or transient ones after all retries) and
-- verifications that failed, with the SQLSTATE where there was one (read through to_jsonb, so that
-- a task table made before those columns existed reads as well), at most ?1 of them.
SELECT chunk_schema, chunk_name, kind, message, sqlstate
  FROM (SELECT chunk_schema, chunk_name, 'copy' AS kind, copy_message AS message,
               to_jsonb(task) ->> 'copy_sqlstate' AS sqlstate, priority
          FROM __backfill.task task
         WHERE worked IS NULL AND copy_message IS NOT NULL
        UNION ALL
        SELECT chunk_schema, chunk_name, 'verify', verify_message,
               to_jsonb(task) ->> 'verify_sqlstate', priority
          FROM __backfill.task task
         WHERE worked IS NOT NULL AND verified IS NULL AND verify_message IS NOT NULL) f
 ORDER BY kind, priority
 LIMIT ?
