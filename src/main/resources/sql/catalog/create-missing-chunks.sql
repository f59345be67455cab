-- Creates the chunks of hypertable (?2, ?3) for the source chunks listed in ?1 (a jsonb array of
-- {"key", "slices": the task's dimensions, "create": create_chunk's slices}) that no chunk of it
-- overlaps yet, all in this one statement (?4 = the hypertable as regclass); returns the keys of
-- those created. The listed chunks are one source hypertable's, so they never overlap each other,
-- and the check reads the chunks as they were before the statement. MATERIALIZED: every check is
-- made before any chunk is created, whatever order the planner would give the quals.
WITH missing AS MATERIALIZED (
  SELECT e.key, e.create
    FROM jsonb_to_recordset(?::jsonb) AS e(key text, slices jsonb, "create" jsonb)
   WHERE NOT EXISTS ({chunks_overlapping(e.slices, ?, ?)})
)
SELECT m.key
  FROM missing m, LATERAL {proc}.create_chunk(?::regclass, m.create) AS created
