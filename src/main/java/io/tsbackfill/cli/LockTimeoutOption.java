package io.tsbackfill.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The lock timeout of chunk DDL, for the commands that run some ({@code stage}, {@code copy}). */
final class LockTimeoutOption {
  @Option(
      names = "--lock-timeout",
      paramLabel = "<DURATION>",
      defaultValue = "${env:BACKFILL_LOCK_TIMEOUT:-3s}",
      converter = Settings.LockTimeout.class,
      description =
          "How long chunk DDL (creating a target chunk, dropping or re-creating a"
              + " continuous-aggregate invalidation trigger) waits for a lock before the chunk is"
              + " retried, naming who holds it: milliseconds or with a unit (500ms, 10s, 2min); 0 waits"
              + " as long as it takes (default: 3s, or BACKFILL_LOCK_TIMEOUT).")
  Duration lockTimeout;
}
