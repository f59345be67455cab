-- The copied, not yet verified task with the lowest priority that no other worker holds,
-- skipping tasks that already ended in this run (?1, a bigint array).
-- Last column: the continuous aggregate whose materialization hypertable the target is (output
-- names the view, not the internal hypertable), else NULL.
SELECT priority, chunk_schema, chunk_name, hypertable_schema, hypertable_name,
       dimensions::text, filter, target_hypertable_schema, target_hypertable_name,
       COALESCE(source_bytes, 0),
       (SELECT format('%I.%I', ca.view_schema, ca.view_name)
          FROM timescaledb_information.continuous_aggregates ca
         WHERE ca.materialization_hypertable_schema = task.target_hypertable_schema
           AND ca.materialization_hypertable_name = task.target_hypertable_name)
  FROM __backfill.task
 WHERE worked IS NOT NULL AND verified IS NULL
   AND priority <> ALL (?)
 ORDER BY priority
 LIMIT 1
   FOR NO KEY UPDATE SKIP LOCKED
