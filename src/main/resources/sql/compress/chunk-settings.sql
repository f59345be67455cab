-- Compression settings of compressed chunk table (?1, ?2) as JSON: segmentby, orderby,
-- orderby_desc, orderby_nullsfirst (and index on versions that have sparse-index settings).
SELECT to_jsonb(cs)
  FROM _timescaledb_catalog.compression_settings cs
 WHERE cs.{settings_of_compressed} = to_regclass(format('%I.%I', ?, ?))
