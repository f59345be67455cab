-- The columns of relation (?1, ?2) that verify summarises, with the aggregates each gets: min and
-- max where pg_catalog declares them for exactly the column's type (varchar compared as text),
-- sum likewise except for floats, which get a float8 sum compared with a tolerance instead.
WITH cols AS (
  SELECT a.attnum, a.attname::text AS name, t.typcollation <> 0 AS collatable,
         CASE WHEN a.atttypid = 'varchar'::regtype THEN 'text'::regtype
              ELSE a.atttypid END AS aggtype,
         a.atttypid = 'varchar'::regtype AS as_text,
         a.atttypid IN ('float4'::regtype, 'float8'::regtype) AS is_float
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
   WHERE a.attrelid = to_regclass(format('%I.%I', ?, ?))
     AND a.attnum > 0 AND NOT a.attisdropped
)
SELECT name, collatable, as_text, is_float,
       EXISTS (SELECT 1 FROM pg_aggregate g JOIN pg_proc p ON p.oid = g.aggfnoid
                WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = 'min'
                  AND p.pronargs = 1 AND p.proargtypes[0] = cols.aggtype) AS has_min,
       EXISTS (SELECT 1 FROM pg_aggregate g JOIN pg_proc p ON p.oid = g.aggfnoid
                WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = 'max'
                  AND p.pronargs = 1 AND p.proargtypes[0] = cols.aggtype) AS has_max,
       NOT is_float
       AND EXISTS (SELECT 1 FROM pg_aggregate g JOIN pg_proc p ON p.oid = g.aggfnoid
                    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = 'sum'
                      AND p.pronargs = 1 AND p.proargtypes[0] = cols.aggtype) AS has_sum
  FROM cols
 ORDER BY attnum
