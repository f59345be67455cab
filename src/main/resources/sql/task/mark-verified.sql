UPDATE __backfill.task
   SET verified = tstzrange(now(), clock_timestamp(), '[)'), verify_message = ?, verify_sqlstate = NULL
 WHERE priority = ?
