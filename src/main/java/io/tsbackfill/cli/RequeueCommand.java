package io.tsbackfill.cli;

import io.tsbackfill.config.RequeueConfig;
import io.tsbackfill.error.ExitCode;
import io.tsbackfill.requeue.Requeuer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code requeue}: put chosen tasks back to pending, for copy and verify to do them again. */
@Command(
    mixinStandardHelpOptions = true,
    name = "requeue",
    description = {
      "Puts staged chunks back to pending, as if never copied: the next copy copies them (deleting"
          + " their rows on the target first) and the next verify checks them. For chunks that"
          + " failed verification, or any others, without clean and a new stage. Says how many;"
          + " chunks a running copy or verify holds are left alone. --failed and --verify-failed"
          + " add up; --filter narrows them, or alone selects every chunk it matches."
    },
    footer = {
      "",
      "Examples:",
      "  timescaledb-backfill requeue --target $TARGET --verify-failed",
      "  timescaledb-backfill requeue --target $TARGET --failed --filter '^public\\.metrics$'"
    })
final class RequeueCommand extends BaseCommand {
  @Mixin TargetOption target;

  @Option(
      names = "--failed",
      description = "Chunks whose copy failed (they are pending already; this clears their error).")
  boolean failed;

  @Option(names = "--verify-failed", description = "Chunks that failed verification.")
  boolean verifyFailed;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "<REGEX>",
      description =
          "POSIX regex, case-insensitive, on the hypertable, cagg view or chunk name"
              + " (schema.table as format('%%I.%%I') renders it).")
  String filter;

  @Override
  int execute(Console console) {
    Requeuer.Result r =
        new Requeuer(new RequeueConfig(target.spec(), failed, verifyFailed, filter)).run();
    console.event(
        "summary",
        Console.fields(
            "command", "requeue",
            "requeued", r.requeued(),
            "copy_failed", r.copyFailed(),
            "verify_failed", r.verifyFailed(),
            "in_flight", r.inFlight()));
    if (r.inFlight() > 0) {
      console.notice(
          r.inFlight()
              + " selected chunk"
              + (r.inFlight() == 1 ? " is" : "s are")
              + " being copied or verified right now and stay"
              + (r.inFlight() == 1 ? "s" : "")
              + " as they are; requeue again once that run is over.");
    }
    if (r.requeued() == 0) {
      console.result(
          "Nothing to requeue: no staged chunk "
              + (failed && verifyFailed
                  ? "failed to copy or failed verification"
                  : failed ? "failed to copy" : "failed verification")
              + (filter == null ? "" : " among those --filter matches")
              + ".");
      return ExitCode.OK;
    }
    long other = r.requeued() - r.copyFailed() - r.verifyFailed();
    console.result(
        "Requeued "
            + r.requeued()
            + " chunk"
            + (r.requeued() == 1 ? "" : "s")
            + " ("
            + r.verifyFailed()
            + " had failed verification, "
            + r.copyFailed()
            + " had failed to copy, "
            + other
            + " other): the next copy copies them, the next verify checks them.");
    console.result("Next: timescaledb-backfill copy --source ... --target ...");
    return ExitCode.OK;
  }
}
