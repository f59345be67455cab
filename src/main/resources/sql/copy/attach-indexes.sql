-- What to build on load table ?1 before it replaces target chunk ?3 of hypertable ?4, so that
-- create_chunk finds it and builds nothing under the hypertable's chunk-creation lock: the chunk's
-- indexes and its primary key and unique constraints that TimescaleDB adopts (matching one of the
-- hypertable's by its own comparison of their indexes). One row each: the statement that builds it
-- on the load table under a temporary name (?2, then _i or _c and a number: the chunk still holds
-- the name) and the one that gives it the chunk's name once the chunk is dropped (renaming a
-- constraint renames its index). Left to create_chunk: other constraints, indexes in a tablespace
-- of their own, invalid ones, and any whose definition does not start as pg_get_indexdef spells it.
WITH p AS (SELECT ?::text AS load, ?::text AS base, ?::regclass AS chunk, ?::regclass AS ht)
SELECT format('CREATE %sINDEX %I ON %s USING %s', q.uniq, q.tmp, p.load, substr(q.def, length(q.prefix) + 1)),
       format('ALTER INDEX %I.%I RENAME TO %I', q.nspname, q.tmp, q.relname)
  FROM p, (SELECT i.relname, ns.nspname, pg_get_indexdef(x.indexrelid) AS def,
                  CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END AS uniq,
                  format('CREATE %sINDEX %s ON %I.%I USING ', CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END,
                         quote_ident(i.relname), tns.nspname, t.relname) AS prefix,
                  p.base || '_i' || row_number() OVER (ORDER BY i.relname) AS tmp
             FROM p
             JOIN pg_index x ON x.indrelid = p.chunk
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_namespace ns ON ns.oid = i.relnamespace
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace tns ON tns.oid = t.relnamespace
            WHERE x.indisvalid
              AND i.reltablespace = 0
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
              AND EXISTS (SELECT 1 FROM pg_index h
                           WHERE h.indrelid = p.ht
                             AND {proc}.index_matches(h.indexrelid, x.indexrelid))) q
 WHERE starts_with(q.def, q.prefix)
UNION ALL
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', p.load, q.tmp, q.def),
       format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', p.load, q.tmp, q.conname)
  FROM p, (SELECT k.conname, pg_get_constraintdef(k.oid) AS def,
                  p.base || '_c' || row_number() OVER (ORDER BY k.conname) AS tmp
             FROM p
             JOIN pg_constraint k ON k.conrelid = p.chunk
             JOIN pg_index x ON x.indexrelid = k.conindid
             JOIN pg_class i ON i.oid = k.conindid
            WHERE k.contype IN ('p', 'u')
              AND x.indisvalid
              AND i.reltablespace = 0
              AND EXISTS (SELECT 1 FROM pg_constraint h
                           WHERE h.conrelid = p.ht AND h.contype = k.contype
                             -- CASE: the comparison fails on a constraint without an index
                             AND CASE WHEN h.conindid <> 0
                                      THEN {proc}.index_matches(h.conindid, k.conindid) END)) q
