package io.tsbackfill.cli;

import io.tsbackfill.config.StageConfig;
import io.tsbackfill.report.Units;
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
          + " --until 91827364"
    })
final class StageCommand extends BaseCommand {
  @Mixin ConnectionOptions connections;

  @Option(
      names = {"-u", "--until"},
      required = true,
      paramLabel = "<VALUE>",
      description = "Exclusive upper bound on each hypertable's time column: a date/time such as"
          + " 2016-01-02T00:00:00Z, or an integer for integer time columns.")
  String until;

  @Option(
      names = {"-F", "--from"},
      paramLabel = "<VALUE>",
      description = "Inclusive lower bound, like --until (default: the beginning of time).")
  String from;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "<REGEX>",
      description = "POSIX regular expression (case-insensitive, unanchored) matched against"
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

  @Override
  int execute(Console console) {
    StageConfig config =
        new StageConfig(
            connections.source(),
            connections.target(),
            until,
            from,
            filter,
            cascadeUp,
            cascadeDown);
    StageResult r = new Stager(config).run();
    java.util.List<java.util.Map<String, Object>> perHypertable = new java.util.ArrayList<>();
    for (StageResult.HypertableStaged h : r.hypertables()) {
      perHypertable.add(
          Console.fields(
              "hypertable", h.hypertable(),
              "chunks", h.chunks(),
              "partial", h.partial(),
              "until", h.untilLiteral(),
              "from", h.fromLiteral()));
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
            "hypertables", perHypertable));
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
                + h.hypertable()
                + ": "
                + h.chunks()
                + " chunk"
                + (h.chunks() == 1 ? "" : "s")
                + (h.partial() > 0 ? " (" + h.partial() + " cut by a bound)" : "")
                + ", until "
                + h.untilLiteral()
                + (h.fromLiteral() == null ? "" : ", from " + h.fromLiteral()));
      }
    }
    console.result(
        "Staged "
            + r.staged()
            + " chunk"
            + (r.staged() == 1 ? "" : "s")
            + " ("
            + Units.bytes(r.bytes())
            + ")"
            + (r.targetChunksCreated() > 0
                ? ", created " + r.targetChunksCreated() + " target chunks"
                : "")
            + ". Next: timescaledb-backfill copy --source ... --target ...");
    return 0;
  }
}
