package io.tsbackfill.config;

import io.tsbackfill.db.ConnectionSpec;

/** Everything {@code refresh-caggs} needs, validated where no database is needed. */
public record RefreshCaggsConfig(
    ConnectionSpec source,
    ConnectionSpec target,
    String filter,
    boolean cascadeUp,
    boolean cascadeDown) {

  public RefreshCaggsConfig {
    if (filter != null && filter.isEmpty()) {
      filter = null;
    }
  }
}
