-- How many tasks the regex ?1 selects in task/requeue.sql, whatever their state or lock.
WITH p AS (SELECT ?::text AS filter)
SELECT count(*)
  FROM __backfill.task t, p
 WHERE format('%I.%I', t.hypertable_schema, t.hypertable_name) ~* p.filter
    OR format('%I.%I', t.chunk_schema, t.chunk_name) ~* p.filter
    OR EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates ca
                WHERE ca.materialization_hypertable_schema = t.target_hypertable_schema
                  AND ca.materialization_hypertable_name = t.target_hypertable_name
                  AND format('%I.%I', ca.view_schema, ca.view_name) ~* p.filter)
