package io.tsbackfill.task;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.db.Ident;
import java.util.List;

/**
 * One row of {@code __backfill.task}: a source chunk to copy, with its range filter and its size
 * on the source when it was staged (0 if unknown).
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
    long sourceBytes) {

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
}
