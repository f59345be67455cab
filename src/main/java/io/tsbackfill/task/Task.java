package io.tsbackfill.task;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.db.Ident;
import java.util.List;

/**
 * One row of {@code __backfill.task}: a source chunk to copy, with its range filter, its size on
 * disk on the source when it was staged (0 if unknown), and the continuous aggregate view whose
 * materialization hypertable it belongs to (null for a plain hypertable).
 */
public record Task(
    long priority,
    String chunkSchema,
    String chunkName,
    String hypertableSchema,
    String hypertableName,
    String dimensionsJson,
    String filter,
    String targetHypertableSchema,
    String targetHypertableName,
    long sourceBytes,
    String caggView) {

  public List<Slice> slices() {
    return Catalog.parseSlices(dimensionsJson);
  }

  public String chunkQname() {
    return Ident.qname(chunkSchema, chunkName);
  }

  public String hypertableQname() {
    return Ident.qname(hypertableSchema, hypertableName);
  }

  public String targetHypertableQname() {
    return Ident.qname(targetHypertableSchema, targetHypertableName);
  }

  /** How output names the chunk: its hypertable (or cagg view), time range and name. */
  public ChunkLabel label() {
    return ChunkLabel.of(
        chunkSchema, chunkName, hypertableSchema, hypertableName, dimensionsJson, caggView);
  }
}
