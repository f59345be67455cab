UPDATE __backfill.task
   SET worked = tstzrange(now(), clock_timestamp(), '[)'),
       copy_message = ?, copy_sqlstate = NULL, copy_path = ?, copied_rows = ?, copied_bytes = ?
 WHERE priority = ?
