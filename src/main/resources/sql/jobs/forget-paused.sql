DELETE FROM __backfill.paused_job WHERE job_id = ?
