-- How the continuous aggregate with materialization hypertable ?1 buckets time: its bucket
-- function (schema, name, argument names and types in order) and the width, origin, offset and
-- time zone it was created with (NULL when not given), all as text.
SELECT n.nspname::text, p.proname::text, p.proargnames::text[],
       ARRAY(SELECT format_type(a.t, NULL)
               FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i) ORDER BY a.i)::text[],
       bf.bucket_width::text, bf.bucket_origin::text, bf.bucket_offset::text,
       bf.bucket_timezone::text
  FROM _timescaledb_catalog.continuous_aggs_bucket_function bf
  JOIN pg_proc p ON p.oid = bf.bucket_func::text::regprocedure
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE bf.mat_hypertable_id = ?
