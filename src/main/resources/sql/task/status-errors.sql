-- The latest failures: copies that failed after all retries, verifications that failed.
SELECT chunk_schema, chunk_name, 'copy' AS kind, copy_message
  FROM __backfill.task WHERE worked IS NULL AND copy_message IS NOT NULL
UNION ALL
SELECT chunk_schema, chunk_name, 'verify', verify_message
  FROM __backfill.task WHERE worked IS NOT NULL AND verified IS NULL AND verify_message IS NOT NULL
 LIMIT ?
