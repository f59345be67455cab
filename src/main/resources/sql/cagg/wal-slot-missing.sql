-- When continuous aggregates here decode the WAL for invalidations (TimescaleDB 2.22, no
-- invalidation trigger on the hypertable they read) but the database has no slot for it (a schema
-- restore does not bring replication slots): the slot's name and the plugin to create it with.
SELECT format('ts_%s_cagg', d.oid), {proc}.invalidation_plugin_name()
  FROM pg_database d
 WHERE d.datname = current_database()
   AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s
                    WHERE s.slot_name = format('ts_%s_cagg', d.oid))
   AND EXISTS (SELECT 1
                 FROM _timescaledb_catalog.continuous_agg ca
                 JOIN _timescaledb_catalog.hypertable h ON h.id = ca.raw_hypertable_id
                WHERE NOT EXISTS (SELECT 1 FROM pg_trigger tg
                                   WHERE tg.tgrelid = format('%I.%I', h.schema_name,
                                                             h.table_name)::regclass
                                     AND tg.tgname = 'ts_cagg_invalidation_trigger'))
