-- The copied, not yet verified task with the lowest priority that no other worker holds,
-- skipping tasks that already ended in this run (?1, a bigint array); the claim of
-- task/claimed.sql.
SELECT * FROM __backfill.task
 WHERE worked IS NOT NULL AND verified IS NULL
   AND priority <> ALL (?)
 ORDER BY priority
 LIMIT 1
   FOR NO KEY UPDATE SKIP LOCKED
