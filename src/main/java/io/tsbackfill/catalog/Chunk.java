package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;
import java.util.List;

/** A chunk with its slices ordered like its hypertable's dimensions (time first). */
public record Chunk(
    int id, String schema, String table, List<Slice> slices, Integer compressedChunkId, long bytes) {

  public Slice timeSlice() {
    return slices.get(0);
  }

  public String qname() {
    return Ident.qname(schema, table);
  }
}
