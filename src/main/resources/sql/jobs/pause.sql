-- Stops the scheduler from starting a job (it keeps its settings).
SELECT job_id FROM {ext}.alter_job(?, scheduled => false)
