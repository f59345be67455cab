UPDATE __backfill.cagg_invalidation SET refreshed = now() WHERE id = ANY (?)
