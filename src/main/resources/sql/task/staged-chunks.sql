-- The source chunks staged already (schema.table), which another stage would skip.
SELECT chunk_schema || '.' || chunk_name FROM __backfill.task
