package io.tsbackfill.cli;

import io.tsbackfill.config.TaskRunConfig;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.work.ChunkFailure;
import io.tsbackfill.work.RunResult;
import io.tsbackfill.work.Shutdown;
import io.tsbackfill.work.TaskEngine;
import io.tsbackfill.work.TaskJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code copy} and {@code verify} share: connections, the worker pool, retries, progress. */
final class RunOptions {
  @Mixin ConnectionOptions connections;
  @Mixin StandbyWaitOption standbyWait;

  @Option(
      names = {"-p", "--parallelism"},
      paramLabel = "<N>",
      defaultValue = "8",
      description = "Chunks processed at once, 1 to 255 (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--retries",
      paramLabel = "<N>",
      defaultValue = "3",
      description = "Retries per chunk after a transient error (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(
      names = "--progress-interval",
      paramLabel = "<SECONDS>",
      defaultValue = "30",
      description =
          "When output is not a terminal: seconds between progress summary lines, 0 for"
              + " none (default: ${DEFAULT-VALUE}).")
  int progressInterval;

  /** Runs {@code job} on a worker pool with signals handled as the README says. */
  RunResult run(Console console, TaskJob job) {
    if (progressInterval < 0) {
      throw BackfillException.usage(
          "--progress-interval must not be negative, not " + progressInterval);
    }
    TaskRunConfig config =
        new TaskRunConfig(connections.source(), connections.target(), parallelism, retries);
    console.setProgressInterval(Duration.ofSeconds(progressInterval));
    Shutdown shutdown = new Shutdown();
    shutdown.setListener(console::onStopRequested);
    if (console.installSignals()) {
      Signals.install(shutdown);
    }
    RunResult r = new TaskEngine(config, job, console, shutdown).run();
    if (r.fatal() != null) {
      throw r.fatal();
    }
    return r;
  }

  /** The failed chunks as JSON: chunk fields, side, SQLSTATE, error and fix (null when unknown). */
  static List<Map<String, Object>> failuresJson(RunResult r) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ChunkFailure f : r.failures()) {
      Map<String, Object> m = Console.chunkFields(f.chunk());
      m.putAll(
          Console.fields(
              "side", f.side().label(),
              "sqlstate", f.sqlState(),
              "error", f.error(),
              "fix", f.fix()));
      out.add(m);
    }
    return out;
  }

  /**
   * Names every failed chunk with its error, then each distinct fix once: a constraint that rejects
   * the rows of a hundred chunks is one thing to fix, not a hundred.
   */
  static void printFailures(Console console, RunResult r, String verb, String state) {
    if (r.failures().isEmpty()) {
      return;
    }
    int n = r.failures().size();
    console.result(
        n
            + " chunk"
            + (n == 1 ? "" : "s")
            + " failed, left "
            + state
            + " for the next "
            + verb
            + " ('status' lists failures):");
    Map<String, Integer> fixes = new LinkedHashMap<>();
    for (ChunkFailure f : r.failures()) {
      console.result("  " + f.chunk().text() + ": " + f.error());
      if (f.fix() != null) {
        fixes.merge(f.fix(), 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Integer> fix : fixes.entrySet()) {
      console.result(
          "Fix"
              + (fixes.size() > 1 || fix.getValue() < n
                  ? " (" + fix.getValue() + " chunk" + (fix.getValue() == 1 ? "" : "s") + ")"
                  : "")
              + ": "
              + fix.getKey()
              + ".");
    }
  }
}
