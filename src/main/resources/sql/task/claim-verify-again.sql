-- The same task again (?1), for a retry, if it still awaits verification and is free; the claim
-- of task/claimed.sql.
SELECT * FROM __backfill.task
 WHERE worked IS NOT NULL AND verified IS NULL
   AND priority = ?
   FOR NO KEY UPDATE SKIP LOCKED
