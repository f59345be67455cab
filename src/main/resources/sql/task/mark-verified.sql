UPDATE __backfill.task
   SET verified = tstzrange(now(), clock_timestamp(), '[)'), verify_message = ?
 WHERE priority = ?
