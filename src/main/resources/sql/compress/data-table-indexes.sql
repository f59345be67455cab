-- The index definitions of compressed chunk table (?1, ?2), each as what follows "USING" in
-- pg_get_indexdef (method and keys): TimescaleDB chooses those keys differently between versions
-- (min/max per orderby column, or first/last time from 2.29), so a copy of its table repeats them.
SELECT substring(pg_get_indexdef(i.indexrelid) FROM ' USING (.*)$'),
       i.indisunique
  FROM pg_index i
 WHERE i.indrelid = to_regclass(format('%I.%I', ?, ?))
 ORDER BY i.indexrelid
