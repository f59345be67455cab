-- The body of the DO block that replaces the target chunk with the load table, sent in one round
-- trip. A DO block takes no parameters: the values go in for the at-sign placeholders as quoted
-- names and literals, in one pass (this header is left out, so no value lands in a comment). It
-- waits for the other workers' attaches to the hypertable (an advisory lock, not under the lock
-- timeout: they pass one at a time), locks the chunk under the lock timeout, notes what the chunk
-- has beyond what create_chunk sets up: its grants (TimescaleDB copies the hypertable's to the
-- chunks it creates, not to an attached table) and its owner; drops it, gives the indexes built on
-- the load table the chunk's names and the chunk's owner where that is not the tool's role (on the
-- table: TimescaleDB refuses to change a chunk's owner), attaches the table under the chunk's name
-- and slices (under the lock timeout again), and gives it the grants back. The session's own lock
-- timeout is put back after each timed statement. A failure anywhere aborts the block and the
-- chunk's transaction, which then rolls back.
DECLARE
  bf_previous text := current_setting('lock_timeout');
  bf_old_chunk regclass := @chunk_text@::regclass;
  bf_restore text[];
  bf_owner text;
  bf_stmt text;
BEGIN
  PERFORM pg_advisory_xact_lock(@lock_class@, @hypertable@::regclass::oid::int);
  PERFORM set_config('lock_timeout', @timeout@, true);
  LOCK TABLE @chunk@ IN ACCESS EXCLUSIVE MODE;
  PERFORM set_config('lock_timeout', bf_previous, true);
  SELECT coalesce(array_agg(
           format('GRANT %s ON %I.%I TO %s%s', a.privilege_type, ns.nspname, c.relname,
                  CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                       ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                  CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
           ORDER BY a.grantee, a.privilege_type) FILTER (WHERE a.grantee <> c.relowner), '{}'),
         pg_get_userbyid(c.relowner)
    INTO bf_restore, bf_owner
    FROM pg_class c
    JOIN pg_namespace ns ON ns.oid = c.relnamespace
    LEFT JOIN LATERAL aclexplode(c.relacl) a ON true
   WHERE c.oid = bf_old_chunk
   GROUP BY c.relowner;
  DROP TABLE @chunk@;
  @renames@
  IF bf_owner <> current_user THEN
    EXECUTE format('ALTER TABLE %s OWNER TO %I', @load_text@, bf_owner);
  END IF;
  PERFORM set_config('lock_timeout', @timeout@, true);
  PERFORM {proc}.create_chunk(@hypertable@::regclass, @slices@::jsonb, @schema@, @table@,
                              @load_text@::regclass);
  PERFORM set_config('lock_timeout', bf_previous, true);
  FOREACH bf_stmt IN ARRAY bf_restore LOOP
    EXECUTE bf_stmt;
  END LOOP;
END
