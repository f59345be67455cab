-- Continuous aggregates whose view %I-name matches the filter (? = the regex, bound as data).
SELECT ca.mat_hypertable_id
  FROM _timescaledb_catalog.continuous_agg ca
 WHERE format('%I.%I', ca.user_view_schema, ca.user_view_name) ~* ?
