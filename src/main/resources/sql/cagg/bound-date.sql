-- An internal time value as date text, for a refresh bound.
SELECT {proc}.to_date(?)::text
