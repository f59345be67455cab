-- Version, function schema, license and PostgreSQL facts of one side.
SELECT e.extversion,
       CASE WHEN EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                          WHERE n.nspname = '_timescaledb_functions' AND p.proname = 'create_chunk')
            THEN '_timescaledb_functions' ELSE '_timescaledb_internal' END AS proc_schema,
       current_setting('timescaledb.license', true) AS license,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('max_identifier_length')::int AS max_identifier_length
  FROM pg_extension e
 WHERE e.extname = 'timescaledb'
