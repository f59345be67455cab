package io.tsbackfill.cli;

import io.tsbackfill.copy.CopyJob;
import io.tsbackfill.db.ExitCode;
import io.tsbackfill.report.Units;
import io.tsbackfill.work.ChunkReport.Outcome;
import io.tsbackfill.work.RunResult;
import io.tsbackfill.work.Throttle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code copy}: process the staged tasks with a pool of workers. */
@Command(
    mixinStandardHelpOptions = true,
    name = "copy",
    description = {
      "Copies the staged chunks, newest first, each in one target transaction: the target rows of"
          + " the chunk's range are deleted and the source rows streamed in with COPY. Ctrl-C"
          + " (or SIGTERM) once: finish the chunks in progress and stop; twice: stop at once."
          + " Run it again to resume."
    },
    footer = {"", "Example:", "  timescaledb-backfill copy --source $SOURCE --target $TARGET -p 8"})
final class CopyCommand extends BaseCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--max-rate",
      paramLabel = "<BYTES/S>",
      description = "Limit on the COPY data read from the source per second, shared by all"
          + " workers, e.g. 50MB or 1.5GiB (default: no limit).")
  String maxRate;

  @Override
  int execute(Console console) {
    RunResult r = run.run(console, new CopyJob(Throttle.parse(maxRate)));
    console.event(
        "summary",
        Console.fields(
            "command", "copy",
            "copied", r.count(Outcome.COPIED),
            "skipped", r.count(Outcome.SKIPPED),
            "failed", r.count(Outcome.FAILED),
            "failed_chunks", r.failedChunks(),
            "rows", r.rows(),
            "bytes", r.bytes(),
            "elapsed_ms", r.elapsed().toMillis(),
            "interrupted", r.interrupted(),
            "still_pending", r.remaining()));
    console.result(
        "Copied "
            + r.count(Outcome.COPIED)
            + " chunk"
            + (r.count(Outcome.COPIED) == 1 ? "" : "s")
            + " ("
            + Units.count(r.rows())
            + " rows, "
            + Units.bytes(r.bytes())
            + ") in "
            + Units.duration(r.elapsed())
            + (r.bytes() > 0 ? " (" + Units.rate(r.bytes(), r.elapsed()) + ")" : "")
            + (r.count(Outcome.SKIPPED) > 0
                ? "; " + r.count(Outcome.SKIPPED) + " skipped (gone from the source)"
                : ""));
    if (!r.failedChunks().isEmpty()) {
      console.result(
          r.failedChunks().size()
              + " chunk"
              + (r.failedChunks().size() == 1 ? "" : "s")
              + " failed after all retries and stay pending (run copy again): "
              + String.join(", ", r.failedChunks()));
    }
    long others = r.remaining() - r.count(Outcome.FAILED);
    if (!r.interrupted() && others > 0) {
      console.result(
          others
              + " chunk"
              + (others == 1 ? " is" : "s are")
              + " still pending: held by another copy process, or by the transaction of a stopped"
              + " one until its server notices; run copy again once that is over.");
    }
    if (r.interrupted()) {
      console.result("Interrupted: run copy again to resume with the chunks still pending.");
      return ExitCode.INTERRUPTED;
    }
    if (!r.failedChunks().isEmpty()) {
      return ExitCode.TARGET_ERROR;
    }
    console.result("Next: timescaledb-backfill verify --source ... --target ...");
    return ExitCode.OK;
  }
}
