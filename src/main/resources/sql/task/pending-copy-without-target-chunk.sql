-- The pending copy tasks of at least ?1 bytes on the source (their staged size, 0 when unknown),
-- in claim order, whose target hypertable has no chunk with exactly the task's slices (the
-- fragment chunks-with-slices, for every task in one query: on a schema-restored target with 3000
-- chunks, 70 ms against 7.4 s for a lookup per task). Read without locking them, before any
-- worker claims one; copy's preparation creates these chunks and looks for each again under the
-- hypertable's chunk-creation lock.
-- Last column: the continuous aggregate whose materialization hypertable the target is (output
-- names the view, not the internal hypertable), else NULL.
SELECT {task_columns(t)}
  FROM __backfill.task t
 WHERE t.worked IS NULL
   AND COALESCE(t.source_bytes, 0) >= ?
   AND NOT EXISTS (
         SELECT 1
           FROM {chunk} c
          WHERE c.id = ANY (ARRAY({chunks_with_slices(t.dimensions, t.target_hypertable_schema,
                                                      t.target_hypertable_name)})))
 ORDER BY t.priority
