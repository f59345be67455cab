-- A copy that failed: the task stays pending, with the error and its SQLSTATE (NULL if none).
UPDATE __backfill.task SET copy_message = ?, copy_sqlstate = ? WHERE priority = ? AND worked IS NULL
