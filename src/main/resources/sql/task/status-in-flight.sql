-- The tasks workers hold right now (?1 copy, ?2 verify): which, since when, by whom; with the
-- chunk's hypertable, slices and continuous aggregate view (NULL for a plain hypertable).
SELECT CASE WHEN l.classid::bigint = ? THEN 'copy' ELSE 'verify' END AS kind,
       t.chunk_schema, t.chunk_name,
       a.pid, a.xact_start, extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS running,
       host(a.client_addr) AS client, a.application_name,
       t.hypertable_schema, t.hypertable_name, t.dimensions::text,
       (SELECT format('%I.%I', ca.view_schema, ca.view_name)
          FROM timescaledb_information.continuous_aggregates ca
         WHERE ca.materialization_hypertable_schema = t.target_hypertable_schema
           AND ca.materialization_hypertable_name = t.target_hypertable_name)
  FROM pg_locks l
  JOIN __backfill.task t ON t.priority = l.objid::bigint
  LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.classid::bigint IN (?, ?)
 ORDER BY a.xact_start
