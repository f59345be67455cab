-- The jobs stage --pause-jobs paused, so resume-jobs re-enables exactly those and no job the
-- user paused himself.
CREATE TABLE IF NOT EXISTS __backfill.paused_job (
    job_id           integer PRIMARY KEY,
    application_name text,
    proc             text,
    touches          text NOT NULL,
    paused_at        timestamptz NOT NULL DEFAULT now()
)
