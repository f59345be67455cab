SELECT to_regclass('__backfill.paused_job') IS NOT NULL
