-- What an earlier copy of task ?1 carried: its chunk is being copied again, at a newer snapshot.
DELETE FROM __backfill.cagg_invalidation WHERE task_priority = ?
