package io.tsbackfill.task;

import java.util.Optional;

/**
 * How a task's rows reached the target, as the task table's {@code copy_path} column records it
 * (the column's values are kept as they are, for task tables written by earlier versions).
 */
public enum CopyPath {
  /** Into the target chunk with the source chunk's slices (loaded and attached, too). */
  DIRECT("direct"),
  /** Through the target hypertable, which puts each row in its chunk. */
  ROUTED("routed"),
  /** Nothing copied: the source chunk no longer existed. */
  SKIPPED("skipped");

  private final String column;

  CopyPath(String column) {
    this.column = column;
  }

  /** The value of the {@code copy_path} column. */
  public String column() {
    return column;
  }

  /** The path a {@code copy_path} value names; empty for null or a value this version lacks. */
  public static Optional<CopyPath> ofColumn(String value) {
    for (CopyPath p : values()) {
      if (p.column.equals(value)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
