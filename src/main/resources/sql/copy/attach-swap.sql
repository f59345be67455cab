-- The body of the DO block that replaces the target chunk with the load table, sent in one round
-- trip. A DO block takes no parameters: the values go in for the at-sign placeholders as quoted
-- names and literals, in one pass (this header is left out, so no value lands in a comment). It
-- waits for the other workers' attaches to the hypertable (an advisory lock, not under the lock
-- timeout: they pass one at a time), locks the chunk under the lock timeout, notes what the chunk
-- has beyond what create_chunk sets up: its grants (TimescaleDB copies the hypertable's to the
-- chunks it creates, not to an attached table), then its owner when that is not the tool's role;
-- drops it, gives the indexes built on the load table the chunk's names, attaches the table under
-- the chunk's name and slices (under the lock timeout again), and gives it the grants and owner
-- back. The session's own lock timeout is put back after each timed statement. A failure anywhere
-- aborts the block and the chunk's transaction, which then rolls back.
DECLARE
  bf_previous text := current_setting('lock_timeout');
  bf_old_chunk regclass := @chunk_text@::regclass;
  bf_restore text[];
  bf_stmt text;
BEGIN
  PERFORM pg_advisory_xact_lock(@lock_class@, @hypertable@::regclass::oid::int);
  PERFORM set_config('lock_timeout', @timeout@, true);
  LOCK TABLE @chunk@ IN ACCESS EXCLUSIVE MODE;
  PERFORM set_config('lock_timeout', bf_previous, true);
  SELECT coalesce(array_agg(g.stmt ORDER BY g.n), '{}') INTO bf_restore FROM (
    SELECT 1 AS n,
           format('GRANT %s ON %I.%I TO %s%s', a.privilege_type, ns.nspname, c.relname,
                  CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                       ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                  CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS stmt
      FROM pg_class c
      JOIN pg_namespace ns ON ns.oid = c.relnamespace
      CROSS JOIN LATERAL aclexplode(c.relacl) a
     WHERE c.oid = bf_old_chunk AND a.grantee <> c.relowner
    UNION ALL
    SELECT 2, format('ALTER TABLE %I.%I OWNER TO %I', ns.nspname, c.relname,
                     pg_get_userbyid(c.relowner))
      FROM pg_class c
      JOIN pg_namespace ns ON ns.oid = c.relnamespace
     WHERE c.oid = bf_old_chunk AND pg_get_userbyid(c.relowner) <> current_user
  ) g;
  DROP TABLE @chunk@;
  @renames@
  PERFORM set_config('lock_timeout', @timeout@, true);
  PERFORM {proc}.create_chunk(@hypertable@::regclass, @slices@::jsonb, @schema@, @table@,
                              @load@::regclass);
  PERFORM set_config('lock_timeout', bf_previous, true);
  FOREACH bf_stmt IN ARRAY bf_restore LOOP
    EXECUTE bf_stmt;
  END LOOP;
END
