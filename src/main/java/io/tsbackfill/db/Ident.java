package io.tsbackfill.db;

/** Quoting of SQL identifiers and literals for the few statements that must be built as text. */
public final class Ident {
  private Ident() {}

  /** Always double-quotes, doubling embedded quotes: {@code my"t} becomes {@code "my""t"}. */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The qname form used in output and SQL: {@code "schema"."table"}. */
  public static String qname(String schema, String table) {
    return quote(schema) + "." + quote(table);
  }

  /** A standard-conforming string literal. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
