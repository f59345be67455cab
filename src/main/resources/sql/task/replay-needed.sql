-- What a hot standby as the source must have replayed before the tasks about to be read (?1 true:
-- those copy claims, false: those verify claims): the latest --until among them as a point in
-- time, and how many of them have none (integer time, or staged by an earlier version).
SELECT max(until_time), count(*) FILTER (WHERE until_time IS NULL)
  FROM __backfill.task
 WHERE CASE WHEN ? THEN worked IS NULL ELSE worked IS NOT NULL AND verified IS NULL END
