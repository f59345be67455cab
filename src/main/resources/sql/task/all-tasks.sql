-- The whole task list, every column, in claim order (clean --report).
SELECT * FROM __backfill.task ORDER BY priority
