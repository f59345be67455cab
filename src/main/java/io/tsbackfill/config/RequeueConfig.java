package io.tsbackfill.config;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.error.BackfillException;

/**
 * Everything {@code requeue} needs: which tasks to put back to pending. The state selectors add up
 * ({@code --failed --verify-failed}: both kinds); {@code --filter} narrows them, or alone selects
 * every task it matches. At least one is required: a requeue of everything is a new stage.
 */
public record RequeueConfig(
    ConnectionSpec target, boolean copyFailed, boolean verifyFailed, String filter) {

  public RequeueConfig {
    if (filter != null && filter.isEmpty()) {
      filter = null;
    }
    if (!copyFailed && !verifyFailed && filter == null) {
      throw BackfillException.usage(
          "requeue needs --failed, --verify-failed or --filter REGEX to say which chunks");
    }
  }
}
