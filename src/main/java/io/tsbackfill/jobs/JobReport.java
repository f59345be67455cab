package io.tsbackfill.jobs;

import java.util.List;

/**
 * What {@code stage} found out about the target's background jobs on what it staged: the scheduled
 * jobs that touch it, whether it paused them, and a note when pausing had nothing to do.
 */
public record JobReport(List<ScheduledJob> jobs, boolean paused, String note) {

  public static JobReport none() {
    return new JobReport(List.of(), false, null);
  }
}
