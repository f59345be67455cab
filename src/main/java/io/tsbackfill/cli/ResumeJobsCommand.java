package io.tsbackfill.cli;

import io.tsbackfill.jobs.JobResumer;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code resume-jobs}: re-enable the target jobs that {@code stage --pause-jobs} paused. */
@Command(
    mixinStandardHelpOptions = true,
    name = "resume-jobs",
    description = {
      "Re-enables exactly the target's background jobs that stage --pause-jobs paused (recorded"
          + " in __backfill.paused_job); jobs paused by anyone else stay paused."
    },
    footer = {"", "Example:", "  timescaledb-backfill resume-jobs --target $TARGET"})
final class ResumeJobsCommand extends BaseCommand {
  @Mixin TargetOption target;

  @Override
  int execute(Console console) {
    List<JobResumer.Resumed> resumed = JobResumer.resume(target.spec());
    List<java.util.Map<String, Object>> jobs = StageOutput.resumed(console, resumed);
    console.event("summary", Console.fields("command", "resume-jobs", "jobs", jobs));
    long n = resumed.stream().filter(r -> r.outcome() == JobResumer.Outcome.RESUMED).count();
    console.result(
        resumed.isEmpty()
            ? "Nothing to resume: stage paused no job (or they were resumed already)."
            : "Resumed " + n + " job" + (n == 1 ? "" : "s") + ".");
    return 0;
  }
}
