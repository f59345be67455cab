-- Gives a TSL test server (one database, one shared session, TimescaleDB loaded) a clean slate
-- without dropping the extension: TimescaleDB cannot be created again in a session that has
-- loaded it. Drops every continuous aggregate, every schema that is neither a system schema nor
-- the extension's, and every object in public that the extension does not own. TimescaleDB's
-- drop hooks remove the catalog rows, chunks, jobs and invalidation state that go with them.
DO $reset$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT user_view_schema AS s, user_view_name AS v
             FROM _timescaledb_catalog.continuous_agg
            ORDER BY mat_hypertable_id DESC
  LOOP
    EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I CASCADE', r.s, r.v);
  END LOOP;
  FOR r IN SELECT n.nspname AS s
             FROM pg_namespace n
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'public')
              AND n.nspname NOT LIKE 'pg\_temp\_%'
              AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_namespace'::regclass
                                 AND d.objid = n.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.s);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS rel, c.relkind
             FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_class'::regclass
                                 AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    IF to_regclass(r.rel::text) IS NOT NULL THEN
      EXECUTE format('DROP %s IF EXISTS %s CASCADE',
                     CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                    WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE'
                                    ELSE 'TABLE' END,
                     r.rel);
    END IF;
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn
             FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_proc'::regclass
                                 AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.fn);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS typ
             FROM pg_type t
            WHERE t.typnamespace = 'public'::regnamespace
              AND t.typtype IN ('e', 'd', 'r', 'm')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_type'::regclass
                                 AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', r.typ);
  END LOOP;
END
$reset$
