-- Whether each valid, non-partial btree index of table (?1, ?2) whose first key is column ?3
-- sorts it descending (one row per direction found): rows arriving in that order are appended
-- at the index's right edge, where page splits leave full pages.
SELECT DISTINCT (i.indoption[0] & 1) = 1 AS descending
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
 WHERE i.indrelid = to_regclass(format('%I.%I', ?, ?))
   AND am.amname = 'btree' AND i.indisvalid AND i.indpred IS NULL AND a.attname = ?
