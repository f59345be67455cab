-- Puts the selected tasks back to pending, as if never copied: ?1 those whose copy failed, ?2 those
-- whose verification failed (neither: any state), ?3 a regex (NULL: any) on the hypertable, the
-- chunk, or the cagg view whose materialization hypertable the task fills, as format('%I.%I')
-- renders them. Tasks a running copy or verify holds are skipped (SKIP LOCKED), not waited for.
-- Answers how many were requeued, of them how many had failed to copy / failed verification, and
-- how many were selected in all (the difference: held by a run).
WITH p AS (SELECT ?::boolean AS copy_failed, ?::boolean AS verify_failed, ?::text AS filter),
candidates AS (
  SELECT t.priority,
         t.worked IS NULL AND t.copy_message IS NOT NULL AS copy_failed,
         t.worked IS NOT NULL AND t.verified IS NULL AND t.verify_message IS NOT NULL
           AS verify_failed
    FROM __backfill.task t, p
   WHERE (NOT (p.copy_failed OR p.verify_failed)
          OR (p.copy_failed AND t.worked IS NULL AND t.copy_message IS NOT NULL)
          OR (p.verify_failed AND t.worked IS NOT NULL AND t.verified IS NULL
              AND t.verify_message IS NOT NULL))
     AND (p.filter IS NULL
          OR format('%I.%I', t.hypertable_schema, t.hypertable_name) ~* p.filter
          OR format('%I.%I', t.chunk_schema, t.chunk_name) ~* p.filter
          OR EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates ca
                      WHERE ca.materialization_hypertable_schema = t.target_hypertable_schema
                        AND ca.materialization_hypertable_name = t.target_hypertable_name
                        AND format('%I.%I', ca.view_schema, ca.view_name) ~* p.filter))
), locked AS (
  SELECT t.priority
    FROM __backfill.task t
   WHERE t.priority IN (SELECT priority FROM candidates)
     FOR UPDATE SKIP LOCKED
), requeued AS (
  UPDATE __backfill.task t
     SET worked = NULL, copy_message = NULL, copy_sqlstate = NULL, copy_path = NULL,
         copied_rows = NULL, copied_bytes = NULL,
         verified = NULL, verify_message = NULL, verify_sqlstate = NULL
    FROM locked l JOIN candidates c USING (priority)
   WHERE t.priority = l.priority
  RETURNING c.copy_failed, c.verify_failed
)
SELECT (SELECT count(*) FROM requeued),
       (SELECT count(*) FROM requeued WHERE copy_failed),
       (SELECT count(*) FROM requeued WHERE verify_failed),
       (SELECT count(*) FROM candidates)
