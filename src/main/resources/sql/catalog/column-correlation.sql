-- The planner's correlation of column ?3 of table (?1, ?2) with the table's physical order (1:
-- stored in ascending order, -1: descending); no row before the table's first ANALYZE.
SELECT correlation
  FROM pg_stats
 WHERE schemaname = ? AND tablename = ? AND attname = ? AND NOT inherited
   AND correlation IS NOT NULL
