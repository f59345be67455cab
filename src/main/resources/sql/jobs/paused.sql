-- The jobs stage paused, with whether each still exists and is still paused.
SELECT p.job_id, p.application_name, p.proc, p.touches, p.paused_at,
       j.job_id IS NOT NULL AS exists, COALESCE(j.scheduled, false) AS scheduled
  FROM __backfill.paused_job p
  LEFT JOIN timescaledb_information.jobs j ON j.job_id = p.job_id
 ORDER BY p.job_id
   FOR UPDATE OF p
