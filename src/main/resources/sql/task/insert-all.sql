-- Stages the given chunks in one statement, in the order given (?1 to ?10: arrays of equal length,
-- one element per chunk), so that the identity assigns priorities in that order; a chunk staged
-- already is left as it is. Returns the chunks inserted now.
INSERT INTO __backfill.task
       (chunk_schema, chunk_name, hypertable_schema, hypertable_name, dimensions, filter,
        target_hypertable_schema, target_hypertable_name, source_bytes, until_time)
SELECT x.chunk_schema, x.chunk_name, x.hypertable_schema, x.hypertable_name, x.dimensions::jsonb,
       x.filter, x.target_schema, x.target_name, x.source_bytes, x.until_time::timestamptz
  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
              ?::text[], ?::bigint[], ?::text[])
       WITH ORDINALITY
       AS x(chunk_schema, chunk_name, hypertable_schema, hypertable_name, dimensions, filter,
            target_schema, target_name, source_bytes, until_time, n)
 ORDER BY x.n
ON CONFLICT (chunk_schema, chunk_name) DO NOTHING
RETURNING chunk_schema, chunk_name
