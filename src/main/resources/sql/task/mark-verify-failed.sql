-- A failed verification: the message (and the SQLSTATE of an error, NULL for differences) is
-- kept, the task stays pending for the next verify.
UPDATE __backfill.task SET verified = NULL, verify_message = ?, verify_sqlstate = ? WHERE priority = ?
