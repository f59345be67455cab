-- The failures: copies that failed (permanent errors, or transient ones after all retries) and
-- verifications that failed, with the SQLSTATE where there was one (read through to_jsonb, so that
-- a task table made before those columns existed reads as well), at most ?1 of them; each with
-- the chunk's hypertable, slices and continuous aggregate view (NULL for a plain hypertable).
SELECT chunk_schema, chunk_name, kind, message, sqlstate,
       hypertable_schema, hypertable_name, dimensions::text,
       (SELECT format('%I.%I', ca.view_schema, ca.view_name)
          FROM timescaledb_information.continuous_aggregates ca
         WHERE ca.materialization_hypertable_schema = f.target_hypertable_schema
           AND ca.materialization_hypertable_name = f.target_hypertable_name)
  FROM (SELECT chunk_schema, chunk_name, 'copy' AS kind, copy_message AS message,
               to_jsonb(task) ->> 'copy_sqlstate' AS sqlstate, priority,
               hypertable_schema, hypertable_name, dimensions, target_hypertable_schema,
               target_hypertable_name
          FROM __backfill.task task
         WHERE worked IS NULL AND copy_message IS NOT NULL
        UNION ALL
        SELECT chunk_schema, chunk_name, 'verify', verify_message,
               to_jsonb(task) ->> 'verify_sqlstate', priority,
               hypertable_schema, hypertable_name, dimensions, target_hypertable_schema,
               target_hypertable_name
          FROM __backfill.task task
         WHERE worked IS NOT NULL AND verified IS NULL AND verify_message IS NOT NULL) f
 ORDER BY kind, priority
 LIMIT ?
