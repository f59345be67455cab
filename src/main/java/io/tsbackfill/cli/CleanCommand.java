package io.tsbackfill.cli;

import io.tsbackfill.clean.Cleaner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clean}: drop the __backfill schema from the target. */
@Command(
    mixinStandardHelpOptions = true,
    name = "clean",
    description = {
      "Removes the administrative schema __backfill from the target once the backfill is done."
          + " Migrated rows and chunks are not touched."
    },
    footer = {
      "",
      "Examples:",
      "  timescaledb-backfill clean --target $TARGET",
      "  timescaledb-backfill clean --target $TARGET --resume-jobs"
    })
final class CleanCommand extends BaseCommand {
  @Mixin TargetOption target;

  @Option(
      names = "--resume-jobs",
      description = "First re-enable the background jobs that stage --pause-jobs paused.")
  boolean resumeJobs;

  @Override
  int execute(Console console) {
    Cleaner.Result r = new Cleaner(target.spec(), resumeJobs).clean();
    boolean dropped = r.removed();
    java.util.List<java.util.Map<String, Object>> resumed = StageOutput.resumed(console, r.resumed());
    for (io.tsbackfill.jobs.ScheduledJob j : r.leftPaused()) {
      console.notice(
          "Warning: "
              + j.describe()
              + " was paused by stage and stays paused (clean --resume-jobs would have resumed it;"
              + " now: alter_job("
              + j.id()
              + ", scheduled => true))");
    }
    console.event(
        "summary",
        Console.fields(
            "command", "clean",
            "removed", dropped,
            "resumed_jobs", resumed,
            "jobs_left_paused", StageOutput.jobsJson(r.leftPaused())));
    console.result(
        dropped
            ? "Removed the __backfill schema from the target."
            : "Nothing to remove: the target has no __backfill schema.");
    return 0;
  }
}
