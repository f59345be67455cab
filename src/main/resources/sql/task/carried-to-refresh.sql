-- The carried invalidations of target materialization hypertable ?1.?2 not refreshed yet, with
-- the staged time range of that hypertable (the envelope of its tasks' first-dimension slices).
SELECT i.id, i.source_log, i.source_object, i.lowest, i.greatest,
       s.range_start, s.range_end
  FROM __backfill.cagg_invalidation i,
       LATERAL (SELECT min((t.dimensions -> 0 ->> 'range_start')::bigint) AS range_start,
                       max((t.dimensions -> 0 ->> 'range_end')::bigint) AS range_end
                  FROM __backfill.task t
                 WHERE t.target_hypertable_schema = i.target_hypertable_schema
                   AND t.target_hypertable_name = i.target_hypertable_name) s
 WHERE i.target_hypertable_schema = ? AND i.target_hypertable_name = ?
   AND i.refreshed IS NULL
 ORDER BY i.lowest, i.greatest
