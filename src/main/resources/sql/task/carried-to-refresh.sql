-- The carried invalidations of target materialization hypertable (?, ?; given twice) not
-- refreshed yet, each distinct range once (every copied chunk of a cagg carries all its pending
-- ranges) with the ids of its rows, and the staged time range of that hypertable (the envelope of
-- its tasks' first-dimension slices).
WITH staged AS (
    SELECT min((t.dimensions -> 0 ->> 'range_start')::bigint) AS range_start,
           max((t.dimensions -> 0 ->> 'range_end')::bigint) AS range_end
      FROM __backfill.task t
     WHERE t.target_hypertable_schema = ? AND t.target_hypertable_name = ?
)
SELECT array_agg(i.id ORDER BY i.id), i.source_log, i.source_object, i.lowest, i.greatest,
       s.range_start, s.range_end
  FROM __backfill.cagg_invalidation i, staged s
 WHERE i.target_hypertable_schema = ? AND i.target_hypertable_name = ?
   AND i.refreshed IS NULL
 GROUP BY i.source_log, i.source_object, i.lowest, i.greatest, s.range_start, s.range_end
 ORDER BY i.lowest, i.greatest
