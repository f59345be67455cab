INSERT INTO __backfill.cagg_invalidation
       (task_priority, target_hypertable_schema, target_hypertable_name, source_log, source_object,
        lowest, greatest)
VALUES (?, ?, ?, ?, ?, ?, ?)
