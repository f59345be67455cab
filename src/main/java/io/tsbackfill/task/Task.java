package io.tsbackfill.task;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.db.Ident;
import java.util.List;

/**
 * One row of {@code __backfill.task}: a source chunk to copy, with its range filter, its size on
 * disk on the source when it was staged (0 if unknown), and the continuous aggregate view whose
 * materialization hypertable it belongs to (null for a plain hypertable). A claimed task carries
 * what its claim read on the target ({@code claimed}); null for tasks read otherwise.
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
    String caggView,
    ClaimedTarget claimed) {

  /** What the claim read on the target; throws for a task that was not claimed. */
  public ClaimedTarget target() {
    if (claimed == null) {
      throw new IllegalStateException("task " + priority + " was not claimed");
    }
    return claimed;
  }

  /**
   * The condition that selects a source chunk's rows in a relation holding more than the chunk (the
   * target hypertable, on the routed path): the chunk's own constraint ({@code chunkPredicate},
   * read from the source catalog) and the task's filter, if any. Copy deletes by it, and verify and
   * the dry run read by it: one rule, so what copy replaced is what they see.
   */
  public static String rowsOfChunk(String chunkPredicate, String filter) {
    return chunkPredicate + (filter == null ? "" : " AND (" + filter + ")");
  }

  /** {@link #rowsOfChunk(String, String)} with this task's filter. */
  public String rowsOfChunk(String chunkPredicate) {
    return rowsOfChunk(chunkPredicate, filter);
  }

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
