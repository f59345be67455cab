SELECT EXISTS (SELECT 1 FROM {chunk} c WHERE c.schema_name = ? AND c.table_name = ?)
