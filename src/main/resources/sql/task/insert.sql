INSERT INTO __backfill.task
       (chunk_schema, chunk_name, hypertable_schema, hypertable_name, dimensions, filter,
        target_hypertable_schema, target_hypertable_name, source_bytes, until_time)
VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)
ON CONFLICT (chunk_schema, chunk_name) DO NOTHING
RETURNING priority
