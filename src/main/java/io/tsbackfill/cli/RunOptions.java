package io.tsbackfill.cli;

import io.tsbackfill.config.CopyConfig;
import io.tsbackfill.db.BackfillException;
import io.tsbackfill.work.RunResult;
import io.tsbackfill.work.Shutdown;
import io.tsbackfill.work.TaskEngine;
import io.tsbackfill.work.TaskJob;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code copy} and {@code verify} share: connections, the worker pool, retries, progress. */
final class RunOptions {
  @Mixin ConnectionOptions connections;

  @Option(
      names = {"-p", "--parallelism"},
      paramLabel = "<N>",
      defaultValue = "8",
      description = "Chunks processed at once, 0 to 255 (default: ${DEFAULT-VALUE}).")
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
      description = "When output is not a terminal: seconds between progress summary lines, 0 for"
          + " none (default: ${DEFAULT-VALUE}).")
  int progressInterval;

  /** Runs {@code job} on a worker pool with signals handled as the README says. */
  RunResult run(Console console, TaskJob job) {
    if (progressInterval < 0) {
      throw BackfillException.usage(
          "--progress-interval must not be negative, not " + progressInterval);
    }
    CopyConfig config =
        new CopyConfig(connections.source(), connections.target(), parallelism, retries);
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
}
