-- Oids of the FOREIGN KEY constraints of hypertable (?1, ?2), which TimescaleDB clones onto
-- each compressed chunk table.
SELECT con.oid
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ? AND c.relname = ? AND con.contype = 'f'
 ORDER BY con.oid
