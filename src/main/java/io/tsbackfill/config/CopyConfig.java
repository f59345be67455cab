package io.tsbackfill.config;

import io.tsbackfill.db.BackfillException;
import io.tsbackfill.db.ConnectionSpec;

/** Everything {@code copy} (and {@code verify}) needs. */
public record CopyConfig(
    ConnectionSpec source, ConnectionSpec target, int parallelism, int retries) {

  public static final int MAX_PARALLELISM = 255;

  public CopyConfig {
    // 0 workers would copy nothing and could only end in a false success.
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw BackfillException.usage(
          "--parallelism must be between 1 and " + MAX_PARALLELISM + ", not " + parallelism);
    }
    if (retries < 0) {
      throw BackfillException.usage("--retries must not be negative, not " + retries);
    }
  }
}
