-- Compression settings of hypertable (?1, ?2) as JSON (see chunks-settings.sql); its row is keyed
-- by the hypertable's own relid on every version.
SELECT to_jsonb(cs)
  FROM _timescaledb_catalog.compression_settings cs
 WHERE cs.relid = to_regclass(format('%I.%I', ?, ?))
