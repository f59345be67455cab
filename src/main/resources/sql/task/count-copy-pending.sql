SELECT count(*), COALESCE(sum(source_bytes), 0)::bigint FROM __backfill.task WHERE worked IS NULL
