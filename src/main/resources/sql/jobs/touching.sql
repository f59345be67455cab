-- Scheduled background jobs that touch the given hypertables (parallel arrays of schema and table
-- names) or the continuous aggregates built on them, at any level: jobs whose hypertable is one of
-- those hypertables, a cagg's materialization hypertable, or a cagg's view. Job id, name, procedure
-- and what it touches (hypertable schema.table, or a cagg's view schema.view).
WITH RECURSIVE staged(id) AS (
    SELECT h.id
      FROM _timescaledb_catalog.hypertable h
      JOIN unnest(?::text[], ?::text[]) AS s(schema_name, table_name)
        ON s.schema_name = h.schema_name AND s.table_name = h.table_name
    UNION
    SELECT ca.mat_hypertable_id
      FROM _timescaledb_catalog.continuous_agg ca
      JOIN staged ON ca.raw_hypertable_id = staged.id
),
touched(schema_name, table_name, label) AS (
    SELECT h.schema_name, h.table_name,
           COALESCE(ca.user_view_schema || '.' || ca.user_view_name || ' (continuous aggregate)',
                    h.schema_name || '.' || h.table_name)
      FROM staged
      JOIN _timescaledb_catalog.hypertable h ON h.id = staged.id
      LEFT JOIN _timescaledb_catalog.continuous_agg ca ON ca.mat_hypertable_id = h.id
    UNION
    SELECT ca.user_view_schema, ca.user_view_name,
           ca.user_view_schema || '.' || ca.user_view_name || ' (continuous aggregate)'
      FROM staged
      JOIN _timescaledb_catalog.continuous_agg ca ON ca.mat_hypertable_id = staged.id
)
SELECT DISTINCT ON (j.job_id)
       j.job_id, j.application_name, j.proc_schema || '.' || j.proc_name, t.label
  FROM timescaledb_information.jobs j
  JOIN touched t ON t.schema_name = j.hypertable_schema AND t.table_name = j.hypertable_name
 WHERE j.scheduled
 ORDER BY j.job_id
