-- Lets the scheduler start a job again.
SELECT job_id FROM {ext}.alter_job(?, scheduled => true)
