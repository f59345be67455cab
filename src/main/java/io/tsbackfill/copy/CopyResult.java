package io.tsbackfill.copy;

import io.tsbackfill.db.BackfillException;
import java.time.Duration;
import java.util.List;

/** The summary of a copy run: only committed chunks count. */
public record CopyResult(
    int chunksCopied,
    int chunksSkipped,
    long rows,
    long bytes,
    Duration elapsed,
    List<String> failedChunks,
    boolean interrupted,
    BackfillException fatal) {

  public int chunksProcessed() {
    return chunksCopied + chunksSkipped;
  }
}
