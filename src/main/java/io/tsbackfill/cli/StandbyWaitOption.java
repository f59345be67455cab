package io.tsbackfill.cli;

import io.tsbackfill.error.BackfillException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --standby-wait}: how long stage, copy and verify wait for a lagging standby source. */
final class StandbyWaitOption {
  @Option(
      names = "--standby-wait",
      paramLabel = "<SECONDS>",
      defaultValue = "${env:BACKFILL_STANDBY_WAIT:-600}",
      description =
          "With a hot standby as the source: how long to wait, at most, for it to"
              + " replay past the staged --until before reading; then stop naming the lag"
              + " (default: ${DEFAULT-VALUE}; env BACKFILL_STANDBY_WAIT).")
  long seconds;

  Duration duration() {
    if (seconds < 0) {
      throw BackfillException.usage("--standby-wait must not be negative, not " + seconds);
    }
    return Duration.ofSeconds(seconds);
  }
}
