package io.tsbackfill.cli;

import io.tsbackfill.clean.Cleaner;
import io.tsbackfill.error.ExitCode;
import io.tsbackfill.jobs.ScheduledJob;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clean}: drop the __backfill schema from the target. */
@Command(
    mixinStandardHelpOptions = true,
    name = "clean",
    description = {
      "Removes the administrative schema __backfill from the target once the backfill is done."
          + " Migrated rows and chunks are not touched. Refuses (exit 3) while chunks are"
          + " pending, failed to copy or failed verification, since the task list is the only"
          + " record of them; chunks copied but never verified are allowed, with a note."
    },
    footer = {
      "",
      "Examples:",
      "  timescaledb-backfill clean --target $TARGET",
      "  timescaledb-backfill clean --target $TARGET --resume-jobs --report tasks.csv",
      "  timescaledb-backfill clean --target $TARGET --force --report tasks.json"
    })
final class CleanCommand extends BaseCommand {
  @Mixin TargetOption target;

  @Option(
      names = "--resume-jobs",
      description = "First re-enable the background jobs that stage --pause-jobs paused.")
  boolean resumeJobs;

  @Option(
      names = "--force",
      description = "Drop the task list even while chunks are pending or failed.")
  boolean force;

  @Option(
      names = "--report",
      paramLabel = "<FILE>",
      description =
          "First write the task list (every task, every column) to FILE: CSV when it"
              + " ends in .csv, JSON when it ends in .json.")
  Path report;

  @Override
  int execute(Console console) {
    Cleaner.Result r = new Cleaner(target.spec(), resumeJobs, force, report).clean();
    boolean dropped = r.removed();
    List<Map<String, Object>> resumed = StageOutput.resumed(console, r.resumed());
    for (ScheduledJob j : r.leftPaused()) {
      console.warning(
          "Warning: "
              + j.describe()
              + " was paused by stage and stays paused (clean --resume-jobs would have resumed it;"
              + " now: alter_job("
              + j.id()
              + ", scheduled => true))");
    }
    Cleaner.Counts c = r.counts();
    console.event(
        "summary",
        Console.fields(
            "command", "clean",
            "removed", dropped,
            "resumed_jobs", resumed,
            "jobs_left_paused", StageOutput.jobsJson(r.leftPaused()),
            "tasks", c.all(),
            "pending", c.pending(),
            "copy_failed", c.copyFailed(),
            "verify_failed", c.verifyFailed(),
            "unverified", c.unverified(),
            "report", r.reported() < 0 ? null : report.toString(),
            "reported_tasks", r.reported() < 0 ? null : r.reported()));
    if (r.reported() >= 0) {
      console.result(
          "Wrote the task list ("
              + r.reported()
              + " task"
              + (r.reported() == 1 ? "" : "s")
              + ") to "
              + report
              + ".");
    }
    if (c.unfinished() > 0) {
      console.warning(
          "Warning: --force drops the record of "
              + c.pending()
              + " pending, "
              + c.copyFailed()
              + " failed to copy and "
              + c.verifyFailed()
              + " failed verification chunks.");
    }
    if (c.unverified() > 0) {
      console.notice(
          "Note: "
              + c.unverified()
              + " copied chunk"
              + (c.unverified() == 1 ? " was" : "s were")
              + " never verified ('verify' compares them with the source before clean).");
    }
    console.result(
        dropped
            ? "Removed the __backfill schema from the target."
            : "Nothing to remove: the target has no __backfill schema.");
    return ExitCode.OK;
  }
}
