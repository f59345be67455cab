package io.tsbackfill.work;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one task of a run: a chunk copied (with the path taken) or skipped because the
 * source chunk vanished, verified or found different, or failed after all retries; with the
 * chunk's staged size on the source, which weighs its share of the run's progress.
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
