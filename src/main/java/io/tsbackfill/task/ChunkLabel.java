package io.tsbackfill.task;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.db.Ident;
import io.tsbackfill.report.TimeValues;

/**
 * A source chunk as operators think of it: the hypertable it belongs to (the continuous aggregate's
 * view for a materialization hypertable), its time range in the time column's type, and its name,
 * each spelled as {@code format('%I.%I')} would.
 */
public record ChunkLabel(String hypertable, String sourceChunk, TimeValues.Range range) {
  /**
   * The label of a task's chunk from its columns: {@code dimensionsJson} is the task's slices (the
   * time dimension first), {@code caggView} the continuous aggregate's view or null.
   */
  public static ChunkLabel of(
      String chunkSchema,
      String chunkName,
      String hypertableSchema,
      String hypertableName,
      String dimensionsJson,
      String caggView) {
    Slice time = Catalog.parseSlices(dimensionsJson).get(0);
    return new ChunkLabel(
        caggView != null ? caggView : Ident.display(hypertableSchema, hypertableName),
        Ident.display(chunkSchema, chunkName),
        TimeValues.range(time.columnType(), time.start(), time.end()));
  }

  /**
   * {@code public.metrics [2024-01-03T00:00:00Z, 2024-01-04T00:00:00Z)
   * _timescaledb_internal._hyper_1_4_chunk}.
   */
  public String text() {
    return hypertable + " " + range.text() + " " + sourceChunk;
  }
}
