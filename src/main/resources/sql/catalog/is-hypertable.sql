SELECT EXISTS (SELECT 1 FROM _timescaledb_catalog.hypertable WHERE schema_name = ? AND table_name = ?)
