-- What a TSL test server still holds after reset.sql, one description per object, or no rows
-- when it is clean: hypertables, tables and views outside the extension, non-system schemas.
SELECT 'hypertable ' || format('%I.%I', h.schema_name, h.table_name)
  FROM _timescaledb_catalog.hypertable h
UNION ALL
SELECT 'relation ' || c.oid::regclass::text
  FROM pg_class c
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND c.relnamespace IN ('public'::regnamespace, '_timescaledb_internal'::regnamespace)
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'schema ' || n.nspname
  FROM pg_namespace n
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'public')
   AND n.nspname NOT LIKE 'pg\_temp\_%'
   AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                      AND d.deptype = 'e')
