-- Shows a claimed task to other sessions (status) while its transaction runs: a transaction-level
-- advisory lock keyed (?1 = copy or verify, ?2 = priority), visible in pg_locks, released at
-- commit or rollback. Never waits: the task's row lock already makes the claim exclusive.
SELECT pg_try_advisory_xact_lock(?, ?::int)
