-- Validates a --filter with the operator stage and refresh-caggs match with (case-insensitive
-- POSIX regex); an invalid pattern fails with SQLSTATE 2201B.
SELECT 'x' ~* ?
