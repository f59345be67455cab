package io.tsbackfill.db;

/**
 * Quoting of SQL identifiers and literals for the few statements that must be built as text, and
 * the one spelling of relation names in output: {@code schema.table} as PostgreSQL's {@code
 * format('%I.%I')} renders it, the form {@code --filter} matches.
 */
public final class Ident {
  /**
   * The keywords {@code quote_ident()} quotes: every category but unreserved, as {@code SELECT word
   * FROM pg_get_keywords() WHERE catcode <> 'U'} lists them on PostgreSQL 15 (IdentIT compares).
   */
  private static final java.util.Set<String> QUOTED_KEYWORDS =
      java.util.Set.of(
          ("all analyse analyze and any array as asc asymmetric authorization between bigint "
                  + "binary bit boolean both case cast char character check coalesce collate collation "
                  + "column concurrently constraint create cross current_catalog current_date "
                  + "current_role current_schema current_time current_timestamp current_user dec decimal "
                  + "default deferrable desc distinct do else end except exists extract false fetch float "
                  + "for foreign freeze from full grant greatest group grouping having ilike in initially "
                  + "inner inout int integer intersect interval into is isnull join lateral leading least "
                  + "left like limit localtime localtimestamp national natural nchar none normalize not "
                  + "notnull null nullif numeric offset on only or order out outer overlaps overlay "
                  + "placing position precision primary real references returning right row select "
                  + "session_user setof similar smallint some substring symmetric table tablesample then "
                  + "time timestamp to trailing treat trim true union unique user using values varchar "
                  + "variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists "
                  + "xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable")
              .split(" "));

  private Ident() {}

  /** Always double-quotes, doubling embedded quotes: {@code my"t} becomes {@code "my""t"}. */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The form SQL built as text uses: {@code "schema"."table"}. */
  public static String qname(String schema, String table) {
    return quote(schema) + "." + quote(table);
  }

  /** A standard-conforming string literal. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * {@code schema.table} as {@code format('%I.%I', schema, table)} renders it, each part quoted
   * only where PostgreSQL needs it ({@code public.metrics}, {@code "Zoo"."Mixed Case"}): how output
   * names relations.
   */
  public static String display(String schema, String table) {
    return quoteIfNeeded(schema) + "." + quoteIfNeeded(table);
  }

  /** A {@link #qname} ({@code "schema"."table"}) in the {@link #display} spelling. */
  public static String display(String qname) {
    if (qname.length() < 5 || qname.charAt(0) != '"' || !qname.endsWith("\"")) {
      return qname;
    }
    // Quotes inside a part are doubled, so the first lone quote ends the schema.
    for (int i = 1; i < qname.length() - 3; i++) {
      if (qname.charAt(i) != '"') {
        continue;
      }
      if (qname.charAt(i + 1) == '"') {
        i++;
      } else if (qname.startsWith(".\"", i + 1)) {
        return display(
            qname.substring(1, i).replace("\"\"", "\""),
            qname.substring(i + 3, qname.length() - 1).replace("\"\"", "\""));
      } else {
        return qname;
      }
    }
    return qname;
  }

  /** As {@code quote_ident()}: bare when lower-case letters, digits and _ only, and no keyword. */
  public static String quoteIfNeeded(String identifier) {
    boolean safe = !identifier.isEmpty();
    for (int i = 0; i < identifier.length() && safe; i++) {
      char ch = identifier.charAt(i);
      safe = (ch >= 'a' && ch <= 'z') || ch == '_' || (i > 0 && ch >= '0' && ch <= '9');
    }
    return safe && !QUOTED_KEYWORDS.contains(identifier) ? identifier : quote(identifier);
  }
}
