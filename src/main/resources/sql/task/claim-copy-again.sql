-- The same task again (?1), for a retry, if it is still pending and free; the claim of
-- task/claimed.sql.
SELECT * FROM __backfill.task
 WHERE worked IS NULL
   AND priority = ?
   FOR NO KEY UPDATE SKIP LOCKED
