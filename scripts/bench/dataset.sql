-- Generates the benchmark data on the source: :rows rows spread evenly over :chunks days from
-- :'start' (UTC midnight, so one daily chunk per day), about 200 bytes a row. Deterministic (no
-- random()), so every run copies the same bytes. Loads first and indexes afterwards (faster), then
-- VACUUM sets hint bits and statistics so no measured case pays for them.
-- Usage: psql -v rows=N -v chunks=N -v start=TIMESTAMPTZ -f dataset.sql
\set ON_ERROR_STOP 1
\ir schema.sql
INSERT INTO public.metrics
SELECT :'start'::timestamptz + (:chunks * interval '1 day') * ((g - 1)::float8 / :rows),
       ((g * 37) % 1000)::int,
       100 * sin(g / 1000.0) + (g % 97) / 7.0,
       round(((g * 7919) % 1000000) / 1000.0, 3),
       'device ' || (g * 37) % 1000 || ' '
         || (ARRAY['ok', 'warn', 'fail', 'maintenance'])[1 + g % 4] || ' ' || left(md5(g::text), 20),
       jsonb_build_object('fw', '2.' || g % 7 || '.' || g % 13, 'site', 'site-' || g % 50,
         'ok', g % 17 <> 0, 'seq', g)
  FROM generate_series(1, :rows::bigint) g;
\ir indexes.sql
VACUUM (FREEZE, ANALYZE) public.metrics;
