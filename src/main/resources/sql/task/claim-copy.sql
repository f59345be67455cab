-- The pending task with the lowest priority that no other worker holds, skipping tasks that
-- already failed in this run (?1, a bigint array); the claim of task/claimed.sql.
SELECT * FROM __backfill.task
 WHERE worked IS NULL
   AND priority <> ALL (?)
 ORDER BY priority
 LIMIT 1
   FOR NO KEY UPDATE SKIP LOCKED
