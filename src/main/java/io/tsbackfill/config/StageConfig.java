package io.tsbackfill.config;

import io.tsbackfill.db.BackfillException;
import io.tsbackfill.db.ConnectionSpec;

/** Everything {@code stage} needs, validated where no database is needed. */
public record StageConfig(
    ConnectionSpec source,
    ConnectionSpec target,
    String until,
    String from,
    String filter,
    boolean cascadeUp,
    boolean cascadeDown) {

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
    until = until.strip();
    from = from == null ? null : from.strip();
  }
}
