-- The columns of create-schema.sql that __backfill.task lacks (made by an earlier version).
SELECT c
  FROM unnest(ARRAY['copy_sqlstate', 'verify_sqlstate', 'until_time']) AS c
 WHERE NOT EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = '__backfill.task'::regclass AND attname = c
                      AND NOT attisdropped)
