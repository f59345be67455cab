package io.tsbackfill.copy;

import java.time.Duration;

/**
 * The outcome of one chunk: copied (with the path taken), skipped because the source chunk
 * vanished, or failed after all retries.
 */
public record ChunkReport(
    int index,
    int total,
    Outcome outcome,
    String sourceChunk,
    String destination,
    String path,
    long rows,
    long bytes,
    Duration duration,
    String message) {

  /** What happened to the chunk. */
  public enum Outcome {
    COPIED,
    SKIPPED,
    FAILED
  }
}
