-- Lets the scheduler start a job again.
SELECT job_id FROM alter_job(?, scheduled => true)
