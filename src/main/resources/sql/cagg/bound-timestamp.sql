-- An internal time value as timestamp (without time zone) text, for a refresh bound.
SELECT {proc}.to_timestamp_without_timezone(?)::text
