package io.tsbackfill.cli;

import io.tsbackfill.db.ExitCode;
import io.tsbackfill.report.Units;
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
          + " as for copy."
    },
    footer = {"", "Example:", "  timescaledb-backfill verify --source $SOURCE --target $TARGET -p 8"})
final class VerifyCommand extends BaseCommand {
  @Mixin RunOptions run;

  @Override
  int execute(Console console) {
    VerifyJob job = new VerifyJob();
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
              + ". To copy them again, then check them:");
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
}
