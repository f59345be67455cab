package io.tsbackfill.cli;

import io.tsbackfill.config.StageConfig;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.report.Units;
import io.tsbackfill.stage.StagePreview;
import io.tsbackfill.stage.StageResult;
import io.tsbackfill.stage.Stager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stage}: create copy tasks for the chunks in the chosen time range. */
@Command(
    mixinStandardHelpOptions = true,
    name = "stage",
    description = {
      "Creates copy tasks in the target's __backfill schema for the source chunks before --until"
          + " (and from --from), newest first. Validates everything before writing anything;"
          + " staging the same chunks again is a no-op."
    },
    footer = {
      "",
      "Examples:",
      "  timescaledb-backfill stage --source $SOURCE --target $TARGET --until '2016-01-02T00:00:00'",
      "  timescaledb-backfill stage --source $SOURCE --target $TARGET --until '2016-01-02T00:00:00'"
          + " \\",
      "      --filter '^public\\.daily_agg$' --cascade-up --cascade-down",
      "  timescaledb-backfill stage --source $SOURCE --target $TARGET --filter '^public\\.events$'"
          + " --until 91827364",
      "  timescaledb-backfill stage --source $SOURCE --target $TARGET --until '2016-01-02' --dry-run",
      "  timescaledb-backfill stage --source $SOURCE --target $TARGET --until '2016-01-02'"
          + " --pause-jobs"
    })
final class StageCommand extends BaseCommand {
  @Mixin ConnectionOptions connections;
  @Mixin LockTimeoutOption lock;
  @Mixin StandbyWaitOption standbyWait;

  @Option(
      names = {"-u", "--until"},
      required = true,
      paramLabel = "<VALUE>",
      description =
          "Exclusive upper bound on each hypertable's time column: an ISO 8601 date"
              + " (2016-01-02) or date and time (2016-01-02T00:00:00Z, 2016-01-02 12:00+02:00), or an"
              + " integer for integer time columns. Without an offset, a timestamptz column reads it in"
              + " UTC (with a warning), whatever the time zone of this machine or the server.")
  String until;

  @Option(
      names = {"-F", "--from"},
      paramLabel = "<VALUE>",
      description = "Inclusive lower bound, like --until (default: the beginning of time).")
  String from;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "<REGEX>",
      description =
          "POSIX regular expression (case-insensitive, unanchored) matched against"
              + " schema-qualified hypertable names and continuous aggregate view names.")
  String filter;

  @Option(
      names = {"-U", "--cascade-up"},
      description = "With --filter: also stage continuous aggregates built on what matched.")
  boolean cascadeUp;

  @Option(
      names = {"-D", "--cascade-down"},
      description = "With --filter: also stage what matched continuous aggregates are built on.")
  boolean cascadeDown;

  @Option(
      names = "--dry-run",
      description =
          "Validate and show what would be staged (chunks, bytes, chunks cut by a bound,"
              + " target rows copy would delete) without writing anything to the target.")
  boolean dryRun;

  @Option(
      names = "--pause-jobs",
      description =
          "Pause the target's scheduled jobs (refresh, retention, compression policies,"
              + " custom jobs) on the staged hypertables and their continuous aggregates, in the"
              + " staging transaction, and record them for resume-jobs.")
  boolean pauseJobs;

  @Option(
      names = "--snapshot",
      paramLabel = "<SNAPSHOT>",
      description =
          "Not supported (the original tool's option, which it accepted and never"
              + " used): every chunk is read in a consistent source snapshot of its own, and"
              + " --until bounds what is copied. Refused, so that no runbook relies on it.")
  String snapshot;

  @Override
  int execute(Console console) {
    if (snapshot != null) {
      // An exported snapshot lives only while the session that exported it stays in its
      // transaction: hours of copy, several processes, resumed runs and verify would all have to
      // import it. --until already fixes what is copied; rows the application writes after the
      // cut-over reach the target by its dual writes, not by this tool.
      throw BackfillException.usage(
          "--snapshot is not supported: each chunk is copied in a consistent source snapshot of"
              + " its own, and --until fixes which rows are copied; leave --snapshot out");
    }
    StageConfig config =
        new StageConfig(
            connections.source(),
            connections.target(),
            until,
            from,
            filter,
            cascadeUp,
            cascadeDown,
            dryRun,
            pauseJobs,
            lock.lockTimeout,
            standbyWait.duration());
    if (dryRun) {
      StagePreview preview = new Stager(config).preview();
      StageOutput.jobs(console, preview.jobs(), true, pauseJobs);
      StageOutput.preview(console, preview, pauseJobs);
      return 0;
    }
    StageResult r = new Stager(config).run();
    StageOutput.jobs(console, r.jobs(), false, pauseJobs);
    java.util.List<java.util.Map<String, Object>> perHypertable = new java.util.ArrayList<>();
    for (StageResult.HypertableStaged h : r.hypertables()) {
      perHypertable.add(
          Console.fields(
              "hypertable", h.hypertable(),
              "continuous_aggregate", h.cagg(),
              "chunks", h.chunks(),
              "partial", h.partial(),
              "until", h.until(),
              "from", h.from()));
    }
    console.event(
        "summary",
        Console.fields(
            "command", "stage",
            "staged", r.staged(),
            "already_staged", r.alreadyStaged(),
            "partial", r.partial(),
            "source_bytes", r.bytes(),
            "target_chunks_created", r.targetChunksCreated(),
            "hypertables", perHypertable,
            "jobs", StageOutput.jobsJson(r.jobs().jobs()),
            "jobs_paused", r.jobs().paused()));
    if (r.alreadyStaged() > 0) {
      console.result(
          r.alreadyStaged()
              + " chunk"
              + (r.alreadyStaged() == 1 ? " was" : "s were")
              + " staged already and skipped (their stored bounds are kept; to stage them with"
              + " other bounds, run clean first)");
    }
    for (StageResult.HypertableStaged h : r.hypertables()) {
      if (h.chunks() > 0) {
        console.result(
            "  "
                + h.label()
                + ": "
                + h.chunks()
                + " chunk"
                + (h.chunks() == 1 ? "" : "s")
                + (h.partial() > 0 ? " (" + h.partial() + " cut by a bound)" : "")
                + ", until "
                + h.until()
                + (h.from() == null ? "" : ", from " + h.from()));
      }
    }
    console.result(
        "Staged "
            + r.staged()
            + " chunk"
            + (r.staged() == 1 ? "" : "s")
            + " ("
            + Units.bytes(r.bytes())
            + " on-disk size)"
            + (r.targetChunksCreated() > 0
                ? ", created " + r.targetChunksCreated() + " target chunks"
                : "")
            + "."
            + (r.staged() > 0 ? " Next: timescaledb-backfill copy --source ... --target ..." : ""));
    return 0;
  }
}
