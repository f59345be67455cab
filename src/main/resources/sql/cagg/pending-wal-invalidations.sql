-- The changes TimescaleDB 2.22's slot ?1 holds for the hypertables and time columns of ?2 (pairs,
-- as the invalidation plugin takes them), not yet moved to the materialization log by a refresh:
-- a peek, which consumes nothing. One row per decoded transaction and hypertable: the
-- hypertable, and the lowest and greatest changed internal time.
SELECT format('%I.%I', n.nspname, k.relname), r.lowest_modified_value, r.greatest_modified_value
  FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL, VARIADIC ?::text[]) c,
       LATERAL {proc}.cagg_parse_invalidation_record(c.data) r
  JOIN pg_class k ON k.oid = r.hypertable_relid
  JOIN pg_namespace n ON n.oid = k.relnamespace
