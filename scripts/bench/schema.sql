-- The benchmark hypertable, without indexes (indexes.sql adds them). Used for the source and for
-- fresh targets (the routed path), so both sides have the same columns and chunk interval.
CREATE TABLE public.metrics (
  time timestamptz NOT NULL,
  device_id int NOT NULL,
  value double precision,
  reading numeric(12, 3),
  note text,
  attrs jsonb
);
SELECT create_hypertable('public.metrics', 'time',
  chunk_time_interval => interval '1 day', create_default_indexes => false);
