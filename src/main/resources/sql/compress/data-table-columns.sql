-- Columns of compressed chunk table (?1, ?2) in catalog order, with what CREATE TABLE needs to
-- replicate them: quoted name, type (schema-qualified), storage, collation (when not the type's
-- default), default expression, identity, NOT NULL, and whether the type is compressed_data.
SELECT quote_ident(a.attname),
       CASE WHEN a.atttypmod = -1 THEN format('%I.%I', tn.nspname, t.typname)
            ELSE format('%I.', tn.nspname) || format_type(a.atttypid, a.atttypmod) END,
       CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'm' THEN 'main'
                         WHEN 'e' THEN 'external' ELSE 'extended' END,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
            THEN format('%I.%I', coln.nspname, col.collname) END,
       pg_get_expr(d.adbin, d.adrelid),
       a.attidentity::text,
       a.attnotnull,
       t.typname = 'compressed_data',
       (t.typsend <> 0 AND t.typreceive <> 0)
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_namespace tn ON tn.oid = t.typnamespace
  LEFT JOIN pg_collation col ON col.oid = a.attcollation
  LEFT JOIN pg_namespace coln ON coln.oid = col.collnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
