-- The two indexes of the benchmark hypertable (the time index create_hypertable would make, and a
-- typical per-device one); TimescaleDB builds them on every chunk.
CREATE INDEX metrics_time_idx ON public.metrics (time DESC);
CREATE INDEX metrics_device_time_idx ON public.metrics (device_id, time DESC);
