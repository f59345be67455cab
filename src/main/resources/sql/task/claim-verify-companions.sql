-- Up to 15 more copied, not yet verified tasks to verify beside task ?1, in the claim order after
-- it, that no other worker holds, skipping tasks that already ended in this run (?2, a bigint
-- array): whole chunks (no range filter) of the same source and target hypertables, staged at
-- under 1 MB, whose summaries verify reads in one statement per side; the claim of
-- task/claimed.sql.
SELECT c.* FROM __backfill.task c, __backfill.task m
 WHERE m.priority = ?
   AND c.worked IS NOT NULL AND c.verified IS NULL
   AND c.priority <> ALL (?)
   AND c.priority > m.priority
   AND c.filter IS NULL
   AND COALESCE(c.source_bytes, 0) < 1048576
   AND c.hypertable_schema = m.hypertable_schema AND c.hypertable_name = m.hypertable_name
   AND c.target_hypertable_schema = m.target_hypertable_schema
   AND c.target_hypertable_name = m.target_hypertable_name
 ORDER BY c.priority
 LIMIT 15
   FOR NO KEY UPDATE OF c SKIP LOCKED
