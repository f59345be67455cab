SELECT EXISTS (SELECT 1 FROM _timescaledb_catalog.chunk
                WHERE schema_name = ? AND table_name = ? AND NOT dropped)
