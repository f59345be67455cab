-- Claims a task (the claimed CTE: one of the claim-*.sql queries, its parameter first) and, in
-- the same round trip, shows it in flight and reads what the target has for it.
-- In flight: a transaction-level advisory lock keyed (?2 = copy or verify, priority), visible in
-- pg_locks to status, released at commit or rollback. It never waits (the row lock already makes
-- the claim exclusive) and is taken on the claimed row only: the claim is materialized first.
-- The target chunk: the chunk of the target hypertable whose slices equal the task's dimensions
-- exactly (the hypertable must have that many dimensions, so a chunk covering only part of the
-- source chunk's space is never chosen), with its compression state and, when it carries trigger
-- ?3 (the cagg invalidation trigger), its hypertable's id; NULLs when there is none. Matches: how
-- many chunks have those slices (more than one is an error the chunk's work reports).
-- Only when there is none (the routed path): the target hypertable's id and number of dimensions
-- if it carries trigger ?4, and the live chunks of the target hypertable whose time slice
-- overlaps the task's first (time) slice, where rows of that range can land, ordered by start:
-- names, time slices, whether each carries trigger ?5, whether each is compressed.
-- Last column: whether the target hypertable exists.
-- Column 11: the continuous aggregate whose materialization hypertable the target is (output
-- names the view, not the internal hypertable), else NULL.
WITH claimed AS MATERIALIZED ({claim})
SELECT {task_columns(k)},
       k.copy_path,
       pg_try_advisory_xact_lock(?, k.priority::int),
       tc.schema_name, tc.table_name, tc.status, tc.compressed_schema, tc.compressed_table, tc.id,
       tc.trigger_hypertable_id, tc.matches,
       ht.id, ht.num_dimensions,
       ov.schemas, ov.tables, ov.starts, ov.ends, ov.triggers, ov.compressed,
       EXISTS (SELECT 1 FROM _timescaledb_catalog.hypertable h
                WHERE h.schema_name = k.target_hypertable_schema
                  AND h.table_name = k.target_hypertable_name)
  FROM claimed k
  LEFT JOIN LATERAL (
       SELECT c.schema_name, c.table_name, c.status, c.compressed_schema, c.compressed_table,
              c.id,
              CASE WHEN EXISTS (SELECT 1 FROM pg_trigger tg
                                 WHERE tg.tgrelid = to_regclass(format('%I.%I', c.schema_name,
                                                                       c.table_name))
                                   AND tg.tgname = ?)
                   THEN c.hypertable_id END AS trigger_hypertable_id,
              count(*) OVER () AS matches
         FROM {chunk} c
        WHERE c.id = ANY (ARRAY({chunks_with_slices(k.dimensions, k.target_hypertable_schema,
                                                    k.target_hypertable_name)}))
        LIMIT 1) tc ON true
  LEFT JOIN LATERAL (
       SELECT h.id, h.num_dimensions
         FROM _timescaledb_catalog.hypertable h
         JOIN pg_namespace n ON n.nspname = h.schema_name
         JOIN pg_class r ON r.relnamespace = n.oid AND r.relname = h.table_name
         JOIN pg_trigger tg ON tg.tgrelid = r.oid AND tg.tgname = ?
        WHERE h.schema_name = k.target_hypertable_schema
          AND h.table_name = k.target_hypertable_name
          AND tc.id IS NULL) ht ON true
  LEFT JOIN LATERAL (
       SELECT array_agg(c.schema_name::text ORDER BY s.range_start, c.id) AS schemas,
              array_agg(c.table_name::text ORDER BY s.range_start, c.id) AS tables,
              array_agg(s.range_start ORDER BY s.range_start, c.id) AS starts,
              array_agg(s.range_end ORDER BY s.range_start, c.id) AS ends,
              array_agg(EXISTS (SELECT 1 FROM pg_trigger tg
                                 WHERE tg.tgrelid = to_regclass(format('%I.%I', c.schema_name,
                                                                       c.table_name))
                                   AND tg.tgname = ?)
                        ORDER BY s.range_start, c.id) AS triggers,
              array_agg(c.compressed_table IS NOT NULL ORDER BY s.range_start, c.id) AS compressed
         FROM _timescaledb_catalog.hypertable h
         JOIN _timescaledb_catalog.dimension d ON d.hypertable_id = h.id
         JOIN {chunk_slice} s ON s.dimension_id = d.id
         JOIN {chunk} c ON c.id = s.chunk_id
        WHERE h.schema_name = k.target_hypertable_schema
          AND h.table_name = k.target_hypertable_name
          AND d.id = (SELECT min(d2.id) FROM _timescaledb_catalog.dimension d2
                       WHERE d2.hypertable_id = h.id)
          AND s.range_start < (k.dimensions -> 0 ->> 'range_end')::bigint
          AND (k.dimensions -> 0 ->> 'range_start')::bigint < s.range_end
          AND tc.id IS NULL) ov ON true
