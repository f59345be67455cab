-- Brings a task table made by an earlier version up to create-schema.sql: the columns it lacks.
-- Run only when task/missing-columns.sql names any (it takes an ACCESS EXCLUSIVE lock).
ALTER TABLE __backfill.task
  ADD COLUMN IF NOT EXISTS copy_sqlstate text,
  ADD COLUMN IF NOT EXISTS verify_sqlstate text,
  ADD COLUMN IF NOT EXISTS until_time timestamptz
