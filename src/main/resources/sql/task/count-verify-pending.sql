-- Tasks to verify (copied, not verified OK), their staged size, and tasks not copied yet.
SELECT count(*) FILTER (WHERE worked IS NOT NULL AND verified IS NULL),
       COALESCE(sum(source_bytes) FILTER (WHERE worked IS NOT NULL AND verified IS NULL), 0)::bigint,
       count(*) FILTER (WHERE worked IS NULL)
  FROM __backfill.task
