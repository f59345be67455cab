package io.tsbackfill.stage;

import io.tsbackfill.jobs.JobReport;
import java.util.List;

/**
 * What a stage run did: newly staged chunks, chunks that were staged before, and per hypertable.
 */
public record StageResult(
    int staged,
    int alreadyStaged,
    int partial,
    int targetChunksCreated,
    long bytes,
    List<HypertableStaged> hypertables,
    JobReport jobs) {

  public StageResult(
      int staged,
      int alreadyStaged,
      int partial,
      int targetChunksCreated,
      long bytes,
      List<HypertableStaged> hypertables) {
    this(staged, alreadyStaged, partial, targetChunksCreated, bytes, hypertables, JobReport.none());
  }

  /** This result with what stage found out about the target's background jobs. */
  public StageResult withJobs(JobReport report) {
    return new StageResult(
        staged, alreadyStaged, partial, targetChunksCreated, bytes, hypertables, report);
  }

  /**
   * One hypertable's share of the stage (named by its view when {@code cagg}), with the bounds as
   * plain values of the hypertable's time type ({@code from} null when none).
   */
  public record HypertableStaged(
      String hypertable, boolean cagg, int chunks, int partial, String until, String from) {
    /** The name with what it is, for text output. */
    public String label() {
      return cagg ? hypertable + " (continuous aggregate)" : hypertable;
    }
  }
}
