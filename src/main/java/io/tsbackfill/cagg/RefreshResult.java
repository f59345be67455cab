package io.tsbackfill.cagg;

import java.time.Duration;
import java.util.List;

/**
 * What a refresh-caggs run did.
 *
 * @param selected caggs selected on the source (filter and cascade flags)
 * @param upToDate selected caggs whose target watermark already reaches the source's
 * @param notOnTarget selected caggs the target does not have
 * @param nothingToDo why nothing was refreshed, or null when something was
 */
public record RefreshResult(
    List<Refresh> refreshed,
    int selected,
    int upToDate,
    int notOnTarget,
    Duration elapsed,
    String nothingToDo) {

  /**
   * One refresh: the cagg (schema.view as stored) and the half-open range as the target shows it;
   * {@code start} is null when the target had materialized nothing (refreshed from the beginning);
   * why it was refreshed, and for carried invalidations how many ranges the source's logs held for
   * the cagg (all its carried windows together).
   */
  public record Refresh(
      String cagg,
      String start,
      String end,
      long startInternal,
      long endInternal,
      Duration took,
      CaggRefresher.Reason reason,
      int carriedRanges) {}
}
