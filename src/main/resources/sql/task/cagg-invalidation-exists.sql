SELECT to_regclass('__backfill.cagg_invalidation') IS NOT NULL
