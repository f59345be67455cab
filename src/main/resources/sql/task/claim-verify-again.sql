-- The same task again, for a retry, if it still awaits verification and is free.
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
   AND priority = ?
   FOR NO KEY UPDATE SKIP LOCKED
