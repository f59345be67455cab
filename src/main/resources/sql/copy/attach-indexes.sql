-- The indexes to build on load table ?1 before it replaces target chunk ?3 of hypertable ?4, so
-- that create_chunk finds them and builds none under the hypertable's chunk-creation lock: one row
-- per index of the chunk that TimescaleDB would adopt (one of the hypertable's indexes, by its own
-- comparison), with the statement that builds it on the load table under a temporary name (?2 and
-- a number: the chunk still holds the index's own name) and the one that gives it that name once
-- the chunk is dropped. Left to create_chunk: indexes behind constraints (create_chunk makes the
-- constraint), in a tablespace of their own, invalid ones, and any whose definition does not start
-- as pg_get_indexdef spells it.
SELECT format('CREATE %sINDEX %I ON %s USING %s', q.uniq, q.tmp, ?::text, substr(q.def, length(q.prefix) + 1)),
       format('ALTER INDEX %I.%I RENAME TO %I', q.nspname, q.tmp, q.relname)
  FROM (SELECT i.relname, ns.nspname, pg_get_indexdef(x.indexrelid) AS def,
               CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END AS uniq,
               format('CREATE %sINDEX %s ON %I.%I USING ', CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END,
                      quote_ident(i.relname), tns.nspname, t.relname) AS prefix,
               ?::text || '_' || row_number() OVER (ORDER BY i.relname) AS tmp
          FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid
          JOIN pg_namespace ns ON ns.oid = i.relnamespace
          JOIN pg_class t ON t.oid = x.indrelid
          JOIN pg_namespace tns ON tns.oid = t.relnamespace
         WHERE x.indrelid = ?::regclass
           AND x.indisvalid
           AND i.reltablespace = 0
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
           AND EXISTS (SELECT 1 FROM pg_index h
                        WHERE h.indrelid = ?::regclass
                          AND {proc}.index_matches(h.indexrelid, x.indexrelid))) q
 WHERE starts_with(q.def, q.prefix)
 ORDER BY q.tmp
