-- The columns of task row $1 in the order TaskStore.task reads them; the last, the continuous
-- aggregate whose materialization hypertable the target is (output names the view, not the
-- internal hypertable), else NULL. A fragment: put in as {task_columns(ALIAS)}.
$1.priority, $1.chunk_schema, $1.chunk_name, $1.hypertable_schema, $1.hypertable_name,
$1.dimensions::text, $1.filter, $1.target_hypertable_schema, $1.target_hypertable_name,
COALESCE($1.source_bytes, 0),
(SELECT format('%I.%I', ca.view_schema, ca.view_name)
   FROM timescaledb_information.continuous_aggregates ca
  WHERE ca.materialization_hypertable_schema = $1.target_hypertable_schema
    AND ca.materialization_hypertable_name = $1.target_hypertable_name)
