-- The number of blocks of the main fork of table (?1, ?2) as it stands now.
SELECT pg_relation_size(format('%I.%I', ?, ?)::regclass) / current_setting('block_size')::bigint
