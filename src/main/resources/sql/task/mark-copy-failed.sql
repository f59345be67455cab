UPDATE __backfill.task SET copy_message = ? WHERE priority = ? AND worked IS NULL
