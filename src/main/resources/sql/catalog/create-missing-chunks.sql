-- Creates the chunks of hypertable (?2, ?3) for the source chunks listed in ?1 (a jsonb array of
-- {"key", "slices": the task's dimensions, "create": create_chunk's slices}) that no chunk of it
-- overlaps yet, all in this one statement (?4 = the hypertable as regclass); returns the keys of
-- those created. The listed chunks are one source hypertable's, so they never overlap each other,
-- and the check reads the chunks as they were before the statement. MATERIALIZED: every check is
-- made before any chunk is created, whatever order the planner would give the quals.
WITH missing AS MATERIALIZED (
  SELECT e.key, e.create
    FROM jsonb_to_recordset(?::jsonb) AS e(key text, slices jsonb, "create" jsonb)
   WHERE NOT EXISTS (
           SELECT 1
             FROM _timescaledb_catalog.hypertable h
             JOIN {chunk} c ON c.hypertable_id = h.id
            WHERE h.schema_name = ? AND h.table_name = ?
              AND NOT EXISTS (
                    SELECT 1
                      FROM {chunk_slice} s
                      JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id
                      JOIN jsonb_to_recordset(e.slices)
                             AS x(column_name name, range_start bigint, range_end bigint)
                        ON x.column_name = d.column_name
                     WHERE s.chunk_id = c.id
                       AND NOT (s.range_start < x.range_end AND x.range_start < s.range_end)))
)
SELECT m.key
  FROM missing m, LATERAL {proc}.create_chunk(?::regclass, m.create) AS created
