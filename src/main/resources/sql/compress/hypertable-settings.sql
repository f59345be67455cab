-- Compression settings of hypertable (?1, ?2) as JSON (see chunk-settings.sql).
SELECT to_jsonb(cs)
  FROM _timescaledb_catalog.compression_settings cs
 WHERE cs.relid = to_regclass(format('%I.%I', ?, ?)) AND cs.compress_relid IS NULL
