-- What clean would throw away, by state: pending (not copied, no failure), failed to copy, failed
-- verification, copied but never verified, and all tasks.
SELECT count(*) FILTER (WHERE worked IS NULL AND copy_message IS NULL),
       count(*) FILTER (WHERE worked IS NULL AND copy_message IS NOT NULL),
       count(*) FILTER (WHERE worked IS NOT NULL AND verified IS NULL
                          AND verify_message IS NOT NULL),
       count(*) FILTER (WHERE worked IS NOT NULL AND verified IS NULL AND verify_message IS NULL),
       count(*)
  FROM __backfill.task
