-- Version, function schema, license and PostgreSQL facts of one side; whether create_chunk takes
-- an existing table to attach (its chunk_table argument, TSL targets' load-then-index path); the
-- extension's own schema (public functions such as compress_chunk live there, and the restore
-- empties search_path); and the shape of the chunk catalog, asked column by column rather than
-- guessed from the version (see CatalogLayout); and how its continuous aggregates learn of
-- changes (an invalidation trigger up to 2.22, the executor from 2.23, a session switch to skip
-- that from 2.28; WAL decoding as an alternative to the trigger in 2.22 only; a forced refresh
-- from 2.22; in-progress refresh ranges from 2.22).
WITH cols AS (
    SELECT a.attrelid::regclass::text AS rel, a.attname::text AS col
      FROM pg_attribute a
     WHERE a.attrelid IN (to_regclass('_timescaledb_catalog.chunk'),
                          to_regclass('_timescaledb_catalog.dimension_slice'),
                          to_regclass('_timescaledb_catalog.compression_settings'))
       AND a.attnum > 0 AND NOT a.attisdropped
)
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
         AS create_chunk_takes_table,
       e.extnamespace::regnamespace::text AS extension_schema,
       EXISTS (SELECT 1 FROM cols WHERE rel = '_timescaledb_catalog.chunk' AND col = 'dropped')
         AS chunk_has_dropped,
       EXISTS (SELECT 1 FROM cols WHERE rel = '_timescaledb_catalog.chunk' AND col = 'relid')
         AS chunk_has_relid,
       EXISTS (SELECT 1 FROM cols WHERE rel = '_timescaledb_catalog.dimension_slice' AND col = 'chunk_id')
         AS slice_has_chunk_id,
       EXISTS (SELECT 1 FROM cols WHERE rel = '_timescaledb_catalog.compression_settings'
                                    AND col = 'compress_relid')
         AS settings_have_compress_relid,
       EXISTS (SELECT 1 FROM pg_settings WHERE name = 'timescaledb.skip_cagg_invalidation')
         AS has_skip_cagg_invalidation,
       EXISTS (SELECT 1 FROM pg_proc p
                WHERE p.pronamespace = e.extnamespace AND p.proname = 'refresh_continuous_aggregate'
                  AND 'force' = ANY (p.proargnames))
         AS refresh_takes_force,
       to_regclass('_timescaledb_catalog.continuous_aggs_materialization_ranges') IS NOT NULL
         AS has_materialization_ranges,
       EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname IN ('_timescaledb_functions', '_timescaledb_internal')
                  AND p.proname = 'continuous_agg_invalidation_trigger')
         AS has_invalidation_trigger,
       to_regproc('_timescaledb_functions.cagg_parse_invalidation_record') IS NOT NULL
         AS has_wal_invalidation
  FROM pg_extension e
 WHERE e.extname = 'timescaledb'
