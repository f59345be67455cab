-- Compression settings of the compressed chunk tables named in ?1 (a text array of qualified,
-- quoted names), as JSON, in one statement: one row per table that has any, its name as given,
-- then segmentby, orderby, orderby_desc, orderby_nullsfirst (and index on versions that have
-- sparse-index settings).
SELECT r.name, to_jsonb(cs)
  FROM unnest(?::text[]) AS r(name)
  JOIN _timescaledb_catalog.compression_settings cs
    ON cs.{settings_of_compressed} = to_regclass(r.name)
