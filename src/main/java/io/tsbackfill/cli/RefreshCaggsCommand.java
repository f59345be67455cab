package io.tsbackfill.cli;

import io.tsbackfill.cagg.CaggRefresher;
import io.tsbackfill.cagg.RefreshResult;
import io.tsbackfill.config.RefreshCaggsConfig;
import io.tsbackfill.error.ExitCode;
import io.tsbackfill.report.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code refresh-caggs}: bring the target's continuous aggregates up to the source's watermark. */
@Command(
    mixinStandardHelpOptions = true,
    name = "refresh-caggs",
    description = {
      "Refreshes the target's continuous aggregates, lowest level of each hierarchy first:"
          + " from the target's watermark up to the source's (the watermark gap: CALL"
          + " refresh_continuous_aggregate(cagg, target watermark, source watermark)), and the"
          + " windows copy found stale on the source when it copied their materialization chunks"
          + " (carried invalidations: rows changed on the source and not yet refreshed there),"
          + " forced, within the staged range and below the source's watermark. Each line says"
          + " which window was refreshed and why. Caggs already up to date, or missing on the"
          + " target, are left alone."
    },
    footer = {
      "",
      "Examples:",
      "  timescaledb-backfill refresh-caggs --source $SOURCE --target $TARGET",
      "  timescaledb-backfill refresh-caggs --source $SOURCE --target $TARGET \\",
      "      --filter '^public\\.daily_agg$' --cascade-up --cascade-down"
    })
final class RefreshCaggsCommand extends BaseCommand {
  @Mixin ConnectionOptions connections;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "<REGEX>",
      description =
          "POSIX regular expression (case-insensitive, unanchored) matched against"
              + " schema-qualified continuous aggregate view names (default: all).")
  String filter;

  @Option(
      names = {"-U", "--cascade-up"},
      description = "With --filter: also refresh the caggs built on the matched ones.")
  boolean cascadeUp;

  @Option(
      names = {"-D", "--cascade-down"},
      description = "With --filter: also refresh the caggs the matched ones are built on.")
  boolean cascadeDown;

  @Override
  int execute(Console console) {
    RefreshCaggsConfig config =
        new RefreshCaggsConfig(
            connections.source(), connections.target(), filter, cascadeUp, cascadeDown);
    RefreshResult r =
        new CaggRefresher(
                config,
                (index, total, refresh) -> {
                  console.event(
                      "cagg_refreshed",
                      Console.fields(
                          "index", index,
                          "total", total,
                          "cagg", refresh.cagg(),
                          "start", refresh.start(),
                          "end", refresh.end(),
                          "reason", reason(refresh),
                          "carried_ranges", refresh.carriedRanges(),
                          "duration_ms", refresh.took().toMillis()));
                  console.result(
                      "["
                          + index
                          + "/"
                          + total
                          + "] refreshed "
                          + refresh.cagg()
                          + " from "
                          + (refresh.start() == null ? "the beginning" : refresh.start())
                          + " to "
                          + refresh.end()
                          + " (exclusive) in "
                          + Units.duration(refresh.took())
                          + ": "
                          + why(refresh));
                })
            .run();
    console.event(
        "summary",
        Console.fields(
            "command", "refresh-caggs",
            "refreshed", r.refreshed().stream().map(RefreshResult.Refresh::cagg).distinct().count(),
            "windows", r.refreshed().size(),
            "selected", r.selected(),
            "up_to_date", r.upToDate(),
            "not_on_target", r.notOnTarget(),
            "nothing_to_do", r.nothingToDo(),
            "elapsed_ms", r.elapsed().toMillis()));
    if (r.nothingToDo() != null) {
      console.result("Nothing to refresh: " + r.nothingToDo() + ".");
    }
    long caggs = r.refreshed().stream().map(RefreshResult.Refresh::cagg).distinct().count();
    StringBuilder summary =
        new StringBuilder("Refreshed ")
            .append(caggs)
            .append(" continuous aggregate")
            .append(caggs == 1 ? "" : "s");
    if (r.refreshed().size() != caggs) {
      summary.append(" (").append(r.refreshed().size()).append(" windows)");
    }
    summary.append(" in ").append(Units.duration(r.elapsed()));
    if (!r.refreshed().isEmpty() && r.upToDate() + r.notOnTarget() > 0) {
      summary.append(" (");
      if (r.upToDate() > 0) {
        summary.append(r.upToDate()).append(" already up to date");
      }
      if (r.notOnTarget() > 0) {
        summary
            .append(r.upToDate() > 0 ? ", " : "")
            .append(r.notOnTarget())
            .append(" not in the target");
      }
      summary.append(')');
    }
    console.result(summary.append('.').toString());
    return ExitCode.OK;
  }

  private static String reason(RefreshResult.Refresh r) {
    return r.reason() == CaggRefresher.Reason.WATERMARK_GAP
        ? "watermark_gap"
        : "carried_invalidations";
  }

  private static String why(RefreshResult.Refresh r) {
    return r.reason() == CaggRefresher.Reason.WATERMARK_GAP
        ? "watermark gap"
        : "carried invalidations ("
            + r.carriedRanges()
            + " pending range"
            + (r.carriedRanges() == 1 ? "" : "s")
            + " on the source when copied)";
  }
}
