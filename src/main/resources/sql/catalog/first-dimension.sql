-- The first (time) dimension of hypertable (?1, ?2): its column, its type and its partitioning
-- function ('' when none), which together say what its slices' ranges measure.
SELECT d.column_name::text, d.column_type::text,
       CASE WHEN d.partitioning_func IS NULL THEN ''
            ELSE format('%I.%I', d.partitioning_func_schema, d.partitioning_func) END
  FROM _timescaledb_catalog.hypertable h
  JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
 WHERE h.schema_name = ? AND h.table_name = ?
 ORDER BY d.id
 LIMIT 1
