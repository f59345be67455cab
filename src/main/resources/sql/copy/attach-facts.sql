-- What the attach path reads of target chunk (?1, ?2) before loading it, in one row: why it must
-- not be replaced by an attached table (null: it may be), and what the load table copies of it: its
-- tablespace (null: the database's default) and storage options.
-- Dropping a chunk of a hypertable that continuous aggregates read logs an invalidation of the
-- chunk's range, whether TimescaleDB tracks changes with a trigger (before 2.25) or without.
WITH c AS (SELECT to_regclass(format('%I.%I', ?, ?)) AS oid, ?::text AS schema_name,
                  ?::text AS table_name)
SELECT (SELECT v.reason
          FROM (VALUES
                 (1, CASE WHEN (SELECT relkind FROM pg_class WHERE oid = c.oid) <> 'r'
                          THEN 'it is not a plain table' END),
                 (2, CASE WHEN EXISTS (SELECT 1 FROM {chunk} ch
                                          JOIN _timescaledb_catalog.continuous_agg ca
                                            ON ca.raw_hypertable_id = ch.hypertable_id
                                        WHERE ch.schema_name = c.schema_name
                                          AND ch.table_name = c.table_name)
                          THEN 'continuous aggregates read its hypertable' END),
                 (3, CASE WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.confrelid = c.oid)
                          THEN 'a foreign key references it' END),
                 (4, CASE WHEN EXISTS (SELECT 1 FROM pg_depend d
                                        WHERE d.refobjid = c.oid
                                          AND d.refclassid = 'pg_class'::regclass
                                          AND d.classid = 'pg_rewrite'::regclass)
                          THEN 'a view reads it' END),
                 (5, CASE WHEN EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid)
                          THEN 'tables inherit from it' END),
                 (6, CASE WHEN NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = c.oid),
                                               'MEMBER')
                          THEN 'the tool''s role does not own it' END),
                 (7, CASE WHEN NOT has_schema_privilege(
                                     (SELECT relnamespace FROM pg_class WHERE oid = c.oid), 'CREATE')
                          THEN 'the tool''s role may not create tables in its schema' END)
               ) AS v(n, reason)
         WHERE v.reason IS NOT NULL
         ORDER BY v.n
         LIMIT 1) AS obstacle,
       (SELECT ts.spcname FROM pg_class r JOIN pg_tablespace ts ON ts.oid = r.reltablespace
         WHERE r.oid = c.oid) AS tablespace,
       (SELECT r.reloptions FROM pg_class r WHERE r.oid = c.oid) AS reloptions
  FROM c
