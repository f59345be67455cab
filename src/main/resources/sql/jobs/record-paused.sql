INSERT INTO __backfill.paused_job (job_id, application_name, proc, touches)
VALUES (?, ?, ?, ?)
ON CONFLICT (job_id) DO NOTHING
