-- Version, function schema, license and PostgreSQL facts of one side; whether create_chunk takes
-- an existing table to attach (its chunk_table argument, TSL targets' load-then-index path).
SELECT e.extversion,
       CASE WHEN EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                          WHERE n.nspname = '_timescaledb_functions' AND p.proname = 'create_chunk')
            THEN '_timescaledb_functions' ELSE '_timescaledb_internal' END AS proc_schema,
       current_setting('timescaledb.license', true) AS license,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('max_identifier_length')::int AS max_identifier_length,
       EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname IN ('_timescaledb_functions', '_timescaledb_internal')
                  AND p.proname = 'create_chunk' AND 'chunk_table' = ANY (p.proargnames))
         AS create_chunk_takes_table
  FROM pg_extension e
 WHERE e.extname = 'timescaledb'
