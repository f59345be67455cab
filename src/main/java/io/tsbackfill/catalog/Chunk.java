package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;
import java.util.List;

/**
 * A chunk with its slices ordered like its hypertable's dimensions (time first), its compressed
 * chunk table when it is compressed (else both null), whether it is an OSM (tiered storage) chunk,
 * whose rows live outside the database, and whether its table uses the hypercore access method
 * (TimescaleDB 2.18 to 2.21), whose rows COPY cannot move as they are stored.
 */
public record Chunk(
    int id,
    String schema,
    String table,
    List<Slice> slices,
    String compressedSchema,
    String compressedTable,
    long bytes,
    boolean osm,
    boolean hypercore) {

  public boolean compressed() {
    return compressedTable != null;
  }

  public Slice timeSlice() {
    return slices.get(0);
  }

  public String qname() {
    return Ident.qname(schema, table);
  }
}
