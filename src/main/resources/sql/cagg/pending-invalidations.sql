-- What the source knows to be stale in continuous aggregate materialization hypertable ?1.?2, as
-- of this transaction's snapshot: the pending entries of the logs of the cagg and of every cagg
-- below it (a change the lowest level has not materialized yet is stale in every level above),
-- namely each level's own log, the log of changed rows of the hypertable it reads, and the ranges
-- a running refresh has taken out of the cagg's log and not committed yet. Overlapping and
-- adjacent entries of one log are merged (the hypertable log gains a row per writing
-- transaction). Values are inclusive internal times of the caggs' time type (time_type); no row
-- when ?1.?2 is not a materialization hypertable.
WITH RECURSIVE chain AS (
    SELECT ca.mat_hypertable_id, ca.raw_hypertable_id, ca.parent_mat_hypertable_id
      FROM _timescaledb_catalog.continuous_agg ca
      JOIN _timescaledb_catalog.hypertable h ON h.id = ca.mat_hypertable_id
     WHERE h.schema_name = ? AND h.table_name = ?
    UNION ALL
    SELECT p.mat_hypertable_id, p.raw_hypertable_id, p.parent_mat_hypertable_id
      FROM _timescaledb_catalog.continuous_agg p
      JOIN chain c ON p.mat_hypertable_id = c.parent_mat_hypertable_id
), entries AS (
    SELECT 'hypertable' AS log, c.raw_hypertable_id AS hypertable_id,
           l.lowest_modified_value AS lo, l.greatest_modified_value AS hi
      FROM chain c
      JOIN _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log l
        ON l.hypertable_id = c.raw_hypertable_id
    UNION ALL
    SELECT 'materialization', c.mat_hypertable_id, l.lowest_modified_value, l.greatest_modified_value
      FROM chain c
      JOIN _timescaledb_catalog.continuous_aggs_materialization_invalidation_log l
        ON l.materialization_id = c.mat_hypertable_id
    UNION ALL
    SELECT 'refresh in progress', c.mat_hypertable_id, r.lowest_modified_value,
           r.greatest_modified_value
      FROM chain c
      JOIN {materialization_ranges} r ON r.materialization_id = c.mat_hypertable_id
), islands AS (
    SELECT log, hypertable_id, lo, hi,
           sum(CASE WHEN lo::numeric <= reached + 1 THEN 0 ELSE 1 END)
             OVER (PARTITION BY log, hypertable_id ORDER BY lo, hi) AS island
      FROM (SELECT e.*, max(hi::numeric) OVER (PARTITION BY log, hypertable_id ORDER BY lo, hi
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                          AS reached
              FROM entries e) x
)
SELECT i.log,
       CASE WHEN ca.user_view_name IS NULL THEN format('%I.%I', h.schema_name, h.table_name)
            ELSE format('%I.%I', ca.user_view_schema, ca.user_view_name) END AS source_object,
       min(i.lo) AS lowest, max(i.hi) AS greatest,
       (SELECT d.column_type::text FROM _timescaledb_catalog.dimension d
         WHERE d.hypertable_id = i.hypertable_id ORDER BY d.id LIMIT 1) AS time_type
  FROM islands i
  JOIN _timescaledb_catalog.hypertable h ON h.id = i.hypertable_id
  LEFT JOIN _timescaledb_catalog.continuous_agg ca ON ca.mat_hypertable_id = i.hypertable_id
 GROUP BY i.log, i.hypertable_id, i.island, ca.user_view_schema, ca.user_view_name,
          h.schema_name, h.table_name
 ORDER BY 3, 4
