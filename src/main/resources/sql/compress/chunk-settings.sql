-- Compression settings of compressed chunk table (?1, ?2), TimescaleDB 2.19 and later (looked up
-- by compress_relid), as JSON: segmentby, orderby, orderby_desc, orderby_nullsfirst (and index on
-- versions that have sparse-index settings).
SELECT to_jsonb(cs)
  FROM _timescaledb_catalog.compression_settings cs
 WHERE cs.compress_relid = to_regclass(format('%I.%I', ?, ?))
