-- Schema and table of the compressed chunk table with chunk id ?1.
SELECT schema_name::text, table_name::text FROM _timescaledb_catalog.chunk WHERE id = ?
