-- Every staged task's source and target hypertable with its time slice (the first dimension:
-- column, start, end), by hypertable and start: verify --caggs compares caggs over these ranges.
SELECT hypertable_schema::text, hypertable_name::text,
       target_hypertable_schema::text, target_hypertable_name::text,
       dimensions -> 0 ->> 'column_name',
       (dimensions -> 0 ->> 'range_start')::bigint, (dimensions -> 0 ->> 'range_end')::bigint
  FROM __backfill.task
 ORDER BY 1, 2, 6
