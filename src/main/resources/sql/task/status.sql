-- Per hypertable: task counts by state, rows and bytes copied, staged bytes. In flight means a
-- worker holds the task's advisory lock (?1 copy, ?2 verify) right now. Last column: the
-- continuous aggregate whose materialization hypertable it is (output names the view), else NULL.
WITH flight AS (
  SELECT l.classid::bigint AS kind, l.objid::bigint AS priority
    FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid::bigint IN (?, ?)
), t AS (
  SELECT task.*,
         EXISTS (SELECT 1 FROM flight f WHERE f.priority = task.priority AND f.kind = ?) AS copying,
         EXISTS (SELECT 1 FROM flight f WHERE f.priority = task.priority AND f.kind = ?) AS verifying
    FROM __backfill.task task
)
SELECT hypertable_schema, hypertable_name,
       count(*) AS chunks,
       count(*) FILTER (WHERE worked IS NULL AND NOT copying AND copy_message IS NULL) AS pending,
       count(*) FILTER (WHERE copying) AS copying,
       count(*) FILTER (WHERE worked IS NOT NULL AND verified IS NULL AND NOT verifying
                          AND verify_message IS NULL) AS copied,
       count(*) FILTER (WHERE verifying) AS verifying,
       count(*) FILTER (WHERE verified IS NOT NULL) AS verified,
       count(*) FILTER (WHERE worked IS NULL AND NOT copying AND copy_message IS NOT NULL)
         AS copy_failed,
       count(*) FILTER (WHERE worked IS NOT NULL AND verified IS NULL AND NOT verifying
                          AND verify_message IS NOT NULL) AS verify_failed,
       COALESCE(sum(copied_rows), 0)::bigint AS rows_copied,
       COALESCE(sum(copied_bytes), 0)::bigint AS bytes_copied,
       COALESCE(sum(source_bytes), 0)::bigint AS source_bytes,
       COALESCE(sum(source_bytes) FILTER (WHERE worked IS NOT NULL), 0)::bigint AS source_bytes_copied,
       COALESCE(sum(source_bytes) FILTER (WHERE verified IS NOT NULL), 0)::bigint
         AS source_bytes_verified,
       (SELECT format('%I.%I', ca.view_schema, ca.view_name)
          FROM timescaledb_information.continuous_aggregates ca
         WHERE ca.materialization_hypertable_schema = t.target_hypertable_schema
           AND ca.materialization_hypertable_name = t.target_hypertable_name) AS cagg
  FROM t
 GROUP BY hypertable_schema, hypertable_name, target_hypertable_schema, target_hypertable_name
 ORDER BY 1, 2
