package io.tsbackfill.config;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.error.BackfillException;
import java.time.Duration;

/**
 * Everything {@code stage} needs, validated where no database is needed; {@code standbyWait} is how
 * long to wait for a hot standby as the source to replay past {@code --until}.
 */
public record StageConfig(
    ConnectionSpec source,
    ConnectionSpec target,
    String until,
    String from,
    String filter,
    boolean cascadeUp,
    boolean cascadeDown,
    boolean dryRun,
    boolean pauseJobs,
    Duration lockTimeout,
    Duration standbyWait) {

  /** A real stage that leaves background jobs alone, with the default lock timeout. */
  public StageConfig(
      ConnectionSpec source,
      ConnectionSpec target,
      String until,
      String from,
      String filter,
      boolean cascadeUp,
      boolean cascadeDown) {
    this(
        source,
        target,
        until,
        from,
        filter,
        cascadeUp,
        cascadeDown,
        false,
        false,
        CopySettings.DEFAULT_LOCK_TIMEOUT,
        Duration.ZERO);
  }

  public StageConfig {
    if (until == null || until.isBlank()) {
      throw BackfillException.usage("--until must not be empty");
    }
    if (from != null && from.isBlank()) {
      throw BackfillException.usage("--from must not be empty");
    }
    if (filter != null && filter.isEmpty()) {
      filter = null;
    }
    if (lockTimeout == null) {
      lockTimeout = CopySettings.DEFAULT_LOCK_TIMEOUT;
    }
    until = until.strip();
    from = from == null ? null : from.strip();
    TimeArg u = TimeArg.parse("--until", until);
    if (from != null && Boolean.FALSE.equals(TimeArg.parse("--from", from).isBefore(u))) {
      throw BackfillException.usage("--from '" + from + "' must be before --until '" + until + "'");
    }
  }
}
