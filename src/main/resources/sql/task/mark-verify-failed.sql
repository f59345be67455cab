-- A failed verification: the message is kept, the task stays pending for the next verify.
UPDATE __backfill.task SET verified = NULL, verify_message = ? WHERE priority = ?
