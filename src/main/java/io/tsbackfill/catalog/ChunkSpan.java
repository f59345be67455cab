package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;

/**
 * A chunk with its time slice {@code [start, end)}, whether it carries a given trigger and whether
 * it is compressed.
 */
public record ChunkSpan(
    String schema, String table, long start, long end, boolean hasTrigger, boolean compressed) {

  public String qname() {
    return Ident.qname(schema, table);
  }
}
