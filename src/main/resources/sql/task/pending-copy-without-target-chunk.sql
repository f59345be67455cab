-- The pending copy tasks of at least ?1 bytes on the source (their staged size, 0 when unknown),
-- in claim order, whose target hypertable has no chunk with exactly the task's slices (the test
-- of catalog/find-chunk.sql, for every task in one query: on a schema-restored target with 3000
-- chunks, 70 ms against 7.4 s for a lookup per task). Read without locking them, before any
-- worker claims one; copy's preparation creates these chunks and looks for each again under the
-- hypertable's chunk-creation lock.
-- Last column: the continuous aggregate whose materialization hypertable the target is (output
-- names the view, not the internal hypertable), else NULL.
SELECT t.priority, t.chunk_schema, t.chunk_name, t.hypertable_schema, t.hypertable_name,
       t.dimensions::text, t.filter, t.target_hypertable_schema, t.target_hypertable_name,
       COALESCE(t.source_bytes, 0),
       (SELECT format('%I.%I', ca.view_schema, ca.view_name)
          FROM timescaledb_information.continuous_aggregates ca
         WHERE ca.materialization_hypertable_schema = t.target_hypertable_schema
           AND ca.materialization_hypertable_name = t.target_hypertable_name)
  FROM __backfill.task t
 WHERE t.worked IS NULL
   AND COALESCE(t.source_bytes, 0) >= ?
   AND NOT EXISTS (
         SELECT 1
           FROM _timescaledb_catalog.hypertable h
           JOIN {chunk} c ON c.hypertable_id = h.id
           JOIN {chunk_slice} s ON s.chunk_id = c.id
           JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id
           JOIN jsonb_to_recordset(t.dimensions)
                AS x(column_name name, column_type text, range_start bigint, range_end bigint)
             ON x.column_name = d.column_name
            AND x.column_type = d.column_type::text
            AND x.range_start = s.range_start
            AND x.range_end = s.range_end
          WHERE h.schema_name = t.target_hypertable_schema
            AND h.table_name = t.target_hypertable_name
            AND h.num_dimensions = jsonb_array_length(t.dimensions)
          GROUP BY c.id
         HAVING count(DISTINCT s.slice_id) = jsonb_array_length(t.dimensions))
 ORDER BY t.priority
