-- An internal time value (microseconds since the epoch) as timestamptz text, in this session's
-- time zone, for a refresh bound.
SELECT {proc}.to_timestamp(?)::text
