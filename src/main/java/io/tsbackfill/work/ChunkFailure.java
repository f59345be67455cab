package io.tsbackfill.work;

import io.tsbackfill.db.Side;
import io.tsbackfill.task.ChunkLabel;

/**
 * A task that failed in a run: its chunk, the side whose error it was, the error's SQLSTATE (null
 * if it had none), the error as one line, and what fixes it where that is known (null otherwise).
 * The task stays pending with {@link #recorded()} in its row.
 */
public record ChunkFailure(ChunkLabel chunk, Side side, String sqlState, String error, String fix) {

  /** What the task row keeps: the error, then the fix. */
  public String recorded() {
    return fix == null ? error : error + ". Fix: " + fix;
  }
}
