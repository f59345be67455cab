package io.tsbackfill.work;

import io.tsbackfill.db.BackfillException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The summary of a copy or verify run: only committed outcomes count; {@code remaining} is how
 * many tasks were still pending at the end (-1 when unknown).
 */
public record RunResult(
    Map<ChunkReport.Outcome, Integer> outcomes,
    long rows,
    long bytes,
    Duration elapsed,
    List<String> failedChunks,
    boolean interrupted,
    BackfillException fatal,
    long remaining) {

  public int count(ChunkReport.Outcome outcome) {
    return outcomes.getOrDefault(outcome, 0);
  }

  /** Tasks that ended in this run, whatever their outcome. */
  public int processed() {
    return outcomes.values().stream().mapToInt(Integer::intValue).sum();
  }
}
