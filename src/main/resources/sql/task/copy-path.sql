SELECT copy_path FROM __backfill.task WHERE priority = ?
