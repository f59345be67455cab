-- The target hypertables with pending copy tasks that continuous aggregates read, each with
-- whether it carries the invalidation trigger ?1 (TimescaleDB up to 2.22 logs changes through
-- it, unless the hypertable's caggs decode the WAL instead).
SELECT DISTINCT format('%I.%I', h.schema_name, h.table_name),
       EXISTS (SELECT 1 FROM pg_trigger tg
                WHERE tg.tgrelid = format('%I.%I', h.schema_name, h.table_name)::regclass
                  AND tg.tgname = ?) AS has_trigger
  FROM __backfill.task t
  JOIN _timescaledb_catalog.hypertable h
    ON h.schema_name = t.target_hypertable_schema AND h.table_name = t.target_hypertable_name
 WHERE t.worked IS NULL
   AND EXISTS (SELECT 1 FROM _timescaledb_catalog.continuous_agg ca
                WHERE ca.raw_hypertable_id = h.id)
 ORDER BY 1
