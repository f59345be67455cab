-- Creates the chunks of hypertable (?2, ?3) for the source chunks listed in ?1 (a jsonb array of
-- {"key", "slices": the task's dimensions, "create": create_chunk's slices}) that no chunk of it
-- overlaps yet, all in this one statement (?4 = the hypertable as regclass); returns the keys of
-- those created. The listed chunks are one source hypertable's, so they never overlap each other,
-- and the check reads the chunks as they were before the statement. MATERIALIZED: every check is
-- made before any chunk is created, whatever order the planner would give the quals.
WITH p AS (SELECT ?::jsonb AS entries, ?::text AS schema_name, ?::text AS table_name),
missing AS MATERIALIZED (
  SELECT e.key, e.create
    FROM p, jsonb_to_recordset(p.entries) AS e(key text, slices jsonb, "create" jsonb)
   WHERE NOT EXISTS (
           SELECT 1
             FROM {chunk} c
            WHERE c.id = ANY (ARRAY({chunks_overlapping(e.slices, p.schema_name,
                                                        p.table_name)})))
)
SELECT m.key
  FROM missing m, LATERAL {proc}.create_chunk(?::regclass, m.create) AS created
