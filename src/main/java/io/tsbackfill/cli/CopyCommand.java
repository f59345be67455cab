package io.tsbackfill.cli;

import io.tsbackfill.config.CopySettings;
import io.tsbackfill.config.CopySettings.Attach;
import io.tsbackfill.config.CopySettings.ChunkCreation;
import io.tsbackfill.config.CopySettings.RowOrderChoice;
import io.tsbackfill.copy.CopyJob;
import io.tsbackfill.error.ExitCode;
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
          + " the chunk's range are deleted and the source rows streamed in with COPY. A chunk"
          + " that fails is recorded and stays pending while the others go on; the next copy"
          + " tries it again. Ctrl-C (or SIGTERM) once: finish the chunks in progress and stop;"
          + " twice: stop at once. Run it again to resume; with nothing left to copy it says so"
          + " and exits 0."
    },
    footer = {"", "Example:", "  timescaledb-backfill copy --source $SOURCE --target $TARGET -p 8"})
final class CopyCommand extends BaseCommand {
  @Mixin RunOptions run;

  @Option(
      names = "--max-rate",
      paramLabel = "<BYTES/S>",
      description =
          "Limit on the COPY data read from the source per second, shared by all"
              + " workers, e.g. 50MB or 1.5GiB (default: no limit).")
  String maxRate;

  @Mixin LockTimeoutOption lock;

  @Option(
      names = "--create-chunks",
      hidden = true,
      paramLabel = "auto|on|off",
      defaultValue = "${env:BACKFILL_CREATE_CHUNKS:-auto}",
      converter = Settings.ChunkCreationValue.class,
      description =
          "Expert. Which missing target chunks are created, one short transaction each,"
              + " before the workers start on a target without the Timescale License at -p 2 or"
              + " more: auto those of 1 MB or more on the source, on all, off none (each is then"
              + " created by the copy that writes into it) (default: auto, or BACKFILL_CREATE_CHUNKS).")
  ChunkCreation createChunks;

  @Option(
      names = "--attach",
      hidden = true,
      arity = "1",
      paramLabel = "auto|on|off",
      defaultValue = "${env:BACKFILL_ATTACH:-auto}",
      converter = Settings.AttachValue.class,
      description =
          "Expert. On targets with the Timescale License, load a whole chunk into a new"
              + " table and attach it in place of the target chunk, indexed once: auto those of"
              + " 4 MB or more on the source (a smaller one copies faster into its indexed chunk),"
              + " on every whole chunk, off none (default: auto, or BACKFILL_ATTACH).")
  Attach attach;

  @Option(
      names = "--row-order",
      hidden = true,
      paramLabel = "auto|stored|last-first",
      defaultValue = "${env:BACKFILL_ROW_ORDER:-stored}",
      converter = Settings.RowOrderValue.class,
      description =
          "Expert. The order a chunk's rows are sent in: auto last first when every"
              + " btree index of the target hypertable leading with the time column sorts it"
              + " descending and the source runs PostgreSQL 14 or later, as stored otherwise; stored"
              + " always as stored; last-first wherever the source allows (default: stored, or"
              + " BACKFILL_ROW_ORDER).")
  RowOrderChoice rowOrder;

  @Override
  int execute(Console console) {
    RunResult r =
        run.run(
            console,
            new CopyJob(
                Throttle.parse(maxRate),
                new CopySettings(lock.lockTimeout, createChunks, attach, rowOrder),
                run.standbyWait.duration()));
    console.event(
        "summary",
        Console.fields(
            "command", "copy",
            "copied", r.count(Outcome.COPIED),
            "skipped", r.count(Outcome.SKIPPED),
            "failed", r.count(Outcome.FAILED),
            "failed_chunks", Console.chunkList(r.failedChunks()),
            "failures", RunOptions.failuresJson(r),
            "rows", r.rows(),
            "copy_bytes", r.bytes(),
            "elapsed_ms", r.elapsed().toMillis(),
            "interrupted", r.interrupted(),
            "still_pending", r.remaining(),
            "nothing_to_copy", r.nothing() != null));
    if (r.nothing() != null) {
      console.result("Nothing to copy: " + r.nothing() + ".");
      return ExitCode.OK;
    }
    console.result(
        "Copied "
            + r.count(Outcome.COPIED)
            + " chunk"
            + (r.count(Outcome.COPIED) == 1 ? "" : "s")
            + " ("
            + Units.count(r.rows())
            + " rows, "
            + Units.bytes(r.bytes())
            + " COPY data) in "
            + Units.duration(r.elapsed())
            + (r.bytes() > 0 ? " (" + Units.rate(r.bytes(), r.elapsed()) + ")" : "")
            + (r.count(Outcome.SKIPPED) > 0
                ? "; " + r.count(Outcome.SKIPPED) + " skipped (gone from the source)"
                : ""));
    RunOptions.printFailures(console, r, "copy", "pending");
    long others = r.remaining() - r.failures().size();
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
    if (!r.failures().isEmpty()) {
      return r.failureExitCode();
    }
    if (others <= 0) {
      console.result("Next: timescaledb-backfill verify --source ... --target ...");
    }
    return ExitCode.OK;
  }
}
