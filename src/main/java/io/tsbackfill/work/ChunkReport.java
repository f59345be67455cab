package io.tsbackfill.work;

import io.tsbackfill.task.ChunkLabel;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one task of a run: a chunk copied (with the path taken) or skipped because the
 * source chunk vanished, verified or found different, or failed after all retries. {@code
 * targetChunk} is the target chunk on the direct path (null when the rows went through the
 * hypertable), {@code destination} where the rows went or were compared, both spelled as output
 * spells names; {@code copyBytes} the COPY data moved, {@code sourceBytes} the chunk's on-disk size
 * on the source when staged, which weighs its share of the run's progress.
 */
public record ChunkReport(
    int index,
    int total,
    Outcome outcome,
    ChunkLabel chunk,
    String targetChunk,
    String destination,
    String path,
    long rows,
    long copyBytes,
    Duration duration,
    String message,
    List<String> details,
    long sourceBytes) {

  /** What happened to the chunk, and whether its task is done or stays pending. */
  public enum Outcome {
    COPIED(true),
    SKIPPED(true),
    VERIFIED(true),
    /** Verification found differences or a missing chunk; the task stays pending. */
    DIFFERENT(false),
    /** A transient error outlasted every retry; the task stays pending. */
    FAILED(false);

    private final boolean done;

    Outcome(boolean done) {
      this.done = done;
    }

    public boolean done() {
      return done;
    }
  }
}
