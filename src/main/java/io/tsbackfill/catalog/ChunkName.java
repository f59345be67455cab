package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;

/** A chunk table by schema and name, as TimescaleDB's catalog names it. */
public record ChunkName(String schema, String table) {
  /** The quoted, schema-qualified name for SQL. */
  public String qname() {
    return Ident.qname(schema, table);
  }
}
