-- TimescaleDB 2.22's replication slot for continuous-aggregate invalidations decoded from the
-- WAL (ts_<database oid>_cagg), if it exists, and whether this role may read it (superuser or
-- REPLICATION).
SELECT s.slot_name::text,
       (SELECT r.rolsuper OR r.rolreplication FROM pg_roles r WHERE r.rolname = current_user)
  FROM pg_database d
  JOIN pg_replication_slots s ON s.slot_name = format('ts_%s_cagg', d.oid)
 WHERE d.datname = current_database()
