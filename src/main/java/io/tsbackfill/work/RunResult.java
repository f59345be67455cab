package io.tsbackfill.work;

import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.ChunkLabel;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The summary of a copy or verify run: only committed outcomes count; {@code bytes} is the COPY
 * data moved; {@code remaining} is how many tasks were still pending at the end (-1 when unknown);
 * {@code nothing}, when not null, why the run had nothing to do. {@code failures} are chunks that
 * failed with an error, {@code different} those verify found different.
 */
public record RunResult(
    Map<ChunkReport.Outcome, Integer> outcomes,
    long rows,
    long bytes,
    Duration elapsed,
    List<ChunkFailure> failures,
    List<ChunkLabel> different,
    boolean interrupted,
    BackfillException fatal,
    long remaining,
    String nothing) {

  /** A run that found nothing to do, and why. */
  static RunResult nothing(String why, Duration elapsed) {
    return new RunResult(Map.of(), 0, 0, elapsed, List.of(), List.of(), false, null, 0, why);
  }

  public int count(ChunkReport.Outcome outcome) {
    return outcomes.getOrDefault(outcome, 0);
  }

  /** The chunks that failed, each once, in the order they failed. */
  public List<ChunkLabel> failedChunks() {
    return failures.stream().map(ChunkFailure::chunk).toList();
  }

  /**
   * The exit code of a run whose chunks failed: the source's when every failure was the source's,
   * else the target's.
   */
  public int failureExitCode() {
    boolean allSource = failures.stream().allMatch(f -> f.side() == io.tsbackfill.db.Side.SOURCE);
    return (allSource ? io.tsbackfill.db.Side.SOURCE : io.tsbackfill.db.Side.TARGET).exitCode();
  }

  /** Tasks that ended in this run, whatever their outcome. */
  public int processed() {
    return outcomes.values().stream().mapToInt(Integer::intValue).sum();
  }
}
