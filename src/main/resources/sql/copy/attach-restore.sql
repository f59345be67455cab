-- The statements that give a table attached in place of chunk ?1 what the chunk had beyond what
-- create_chunk sets up: its grants (TimescaleDB copies the hypertable's to the chunks it creates,
-- not to an attached table), then its owner when that is not the tool's role (?2 = ?1).
SELECT stmt FROM (
  SELECT 1 AS n,
         format('GRANT %s ON %I.%I TO %s%s', a.privilege_type, ns.nspname, c.relname,
                CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS stmt
    FROM pg_class c
    JOIN pg_namespace ns ON ns.oid = c.relnamespace
    CROSS JOIN LATERAL aclexplode(c.relacl) a
   WHERE c.oid = ?::regclass AND a.grantee <> c.relowner
  UNION ALL
  SELECT 2, format('ALTER TABLE %I.%I OWNER TO %I', ns.nspname, c.relname, pg_get_userbyid(c.relowner))
    FROM pg_class c
    JOIN pg_namespace ns ON ns.oid = c.relnamespace
   WHERE c.oid = ?::regclass AND pg_get_userbyid(c.relowner) <> current_user
) s
ORDER BY n
