SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '__backfill')
