package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;

/** A chunk with its time slice {@code [start, end)} and whether it carries a given trigger. */
public record ChunkSpan(String schema, String table, long start, long end, boolean hasTrigger) {

  public String qname() {
    return Ident.qname(schema, table);
  }
}
