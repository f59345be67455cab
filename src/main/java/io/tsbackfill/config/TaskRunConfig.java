package io.tsbackfill.config;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.error.BackfillException;

/**
 * What a run of {@code copy} or {@code verify} shares: the two databases, the workers and the
 * retries per chunk.
 */
public record TaskRunConfig(
    ConnectionSpec source, ConnectionSpec target, int parallelism, int retries) {

  public static final int MAX_PARALLELISM = 255;

  public TaskRunConfig {
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
