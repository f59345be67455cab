package io.tsbackfill.db;

import java.nio.file.Path;
import java.util.Map;

/**
 * What libpq takes from the client's surroundings when a connection string leaves something out:
 * the {@code PG*} variables, the operating-system user (the default user name) and the home folder
 * ({@code ~/.pgpass}, {@code ~/.postgresql/root.crt}). The command layer reads them from the
 * process, the only place that does; tests hand in their own.
 */
public record ClientEnvironment(Map<String, String> variables, String osUser, Path home) {
  public ClientEnvironment {
    variables = Map.copyOf(variables);
  }
}
