package io.tsbackfill.cli;

import io.tsbackfill.error.ExitCode;
import io.tsbackfill.report.Units;
import io.tsbackfill.verify.CaggVerifier;
import io.tsbackfill.verify.VerifyJob;
import io.tsbackfill.work.ChunkReport.Outcome;
import io.tsbackfill.work.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verify}: compare every copied chunk between source and target. */
@Command(
    mixinStandardHelpOptions = true,
    name = "verify",
    description = {
      "Compares each copied chunk between source and target: the row count and, per column, the"
          + " count of non-NULL values, min, max and sum where the type has them, over the"
          + " chunk's staged range. Chunks that differ are named with every differing aggregate"
          + " and stay unverified; 'requeue --verify-failed' puts them back for copy, and the"
          + " next verify checks them. Exit code 6 when any chunk differs. Ctrl-C (or SIGTERM)"
          + " as for copy.",
      "With --caggs, instead compares each staged continuous aggregate's materialized rows"
          + " between source and target (after refresh-caggs, and once the source has refreshed"
          + " its own pending changes): the same aggregates, over the staged time range up to"
          + " the lower of the two watermarks, range by range along the staged chunks. Exit code 6"
          + " when any range differs."
    },
    footer = {
      "",
      "Examples:",
      "  timescaledb-backfill verify --source $SOURCE --target $TARGET -p 8",
      "  timescaledb-backfill verify --source $SOURCE --target $TARGET --caggs"
    })
final class VerifyCommand extends BaseCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--caggs",
      description =
          "Compare the staged continuous aggregates' materialized rows instead of the copied"
              + " chunks (run it after refresh-caggs).")
  boolean caggs;

  @Override
  int execute(Console console) {
    if (caggs) {
      return verifyCaggs(console);
    }
    VerifyJob job = new VerifyJob(run.standbyWait.duration());
    RunResult r = run.run(console, job);
    int different = r.count(Outcome.DIFFERENT);
    int errors = r.count(Outcome.FAILED);
    console.event(
        "summary",
        Console.fields(
            "command", "verify",
            "verified", r.count(Outcome.VERIFIED),
            "different", different,
            "failed", different + errors,
            "different_chunks", Console.chunkList(r.different()),
            "failed_chunks",
                Console.chunkList(
                    java.util.stream.Stream.concat(
                            r.different().stream(), r.failedChunks().stream())
                        .toList()),
            "failures", RunOptions.failuresJson(r),
            "rows", r.rows(),
            "elapsed_ms", r.elapsed().toMillis(),
            "not_copied", job.notCopied(),
            "interrupted", r.interrupted(),
            "still_pending", r.remaining()));
    console.result(
        "Verified "
            + r.processed()
            + " chunk"
            + (r.processed() == 1 ? "" : "s")
            + " ("
            + Units.count(r.rows())
            + " source rows) in "
            + Units.duration(r.elapsed())
            + ": "
            + r.count(Outcome.VERIFIED)
            + " equal, "
            + (different + errors)
            + " failed");
    if (job.notCopied() > 0) {
      console.result(
          job.notCopied()
              + " staged chunk"
              + (job.notCopied() == 1 ? " was" : "s were")
              + " not copied yet and not verified: run copy, then verify again.");
    }
    if (different > 0) {
      console.result(
          different
              + " chunk"
              + (different == 1 ? " differs" : "s differ")
              + " and stay"
              + (different == 1 ? "s" : "")
              + " unverified: "
              + Console.texts(r.different())
              + (different == 1
                  ? ". To copy it again, then check it:"
                  : ". To copy them again, then check them:"));
      console.result("  " + REQUEUE_HINT);
      console.result("  timescaledb-backfill copy --source ... --target ...");
      console.result("  timescaledb-backfill verify --source ... --target ...");
    }
    RunOptions.printFailures(console, r, "verify", "unverified");
    if (r.interrupted()) {
      console.result("Interrupted: run verify again to check the chunks still unverified.");
      return ExitCode.INTERRUPTED;
    }
    if (different > 0) {
      return ExitCode.VERIFY_DIFFERENCES;
    }
    if (errors > 0) {
      return r.failureExitCode();
    }
    if (job.notCopied() == 0 && r.remaining() <= 0) {
      console.result("Next: timescaledb-backfill clean --target ...");
    }
    return ExitCode.OK;
  }

  /** What verify advises for chunks that differ: copy exactly those again. */
  static final String REQUEUE_HINT = "timescaledb-backfill requeue --target ... --verify-failed";

  private int verifyCaggs(Console console) {
    CaggVerifier.Result r =
        new CaggVerifier(
                run.connections.source(),
                run.connections.target(),
                c -> {
                  console.event(
                      "cagg_range_verified",
                      Console.fields(
                          "cagg", c.cagg(),
                          "start", c.start(),
                          "end", c.end(),
                          "equal", c.equal(),
                          "source_rows", c.sourceRows(),
                          "differences", c.differences(),
                          "pending", c.pendingNote()));
                  console.result(
                      (c.equal() ? "equal " : "DIFFERENT ")
                          + c.cagg()
                          + " from "
                          + c.start()
                          + " to "
                          + c.end()
                          + (c.equal()
                              ? " (" + Units.count(c.sourceRows()) + " rows)"
                              : ": " + String.join("; ", c.differences()))
                          + (c.pendingNote() == null ? "" : "; " + c.pendingNote())
                          + (c.pendingNote() == null || c.equal()
                              ? ""
                              : ": refresh, then verify again"));
                })
            .run();
    long different = r.different();
    console.event(
        "summary",
        Console.fields(
            "command",
            "verify",
            "caggs",
            r.caggs(),
            "ranges",
            r.checked().size(),
            "equal",
            r.checked().size() - different,
            "different",
            different,
            "elapsed_ms",
            r.elapsed().toMillis()));
    console.result(
        "Compared "
            + r.caggs()
            + " continuous aggregate"
            + (r.caggs() == 1 ? "" : "s")
            + " over "
            + r.checked().size()
            + " range"
            + (r.checked().size() == 1 ? "" : "s")
            + " in "
            + Units.duration(r.elapsed())
            + ": "
            + (r.checked().size() - different)
            + " equal, "
            + different
            + " different.");
    return different > 0 ? ExitCode.VERIFY_DIFFERENCES : ExitCode.OK;
  }
}
