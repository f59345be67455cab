package io.tsbackfill.cli;

import io.tsbackfill.db.ClientEnvironment;
import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Side;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --source} and {@code --target}: libpq URIs, key=value strings or JDBC URLs. */
public final class ConnectionOptions {
  @Option(
      names = "--source",
      required = true,
      paramLabel = "<CONN>",
      description = "Source database: postgres://user:pass@host:port/db?sslmode=..., "
          + "'host=... dbname=...' or jdbc:postgresql://...; missing parts come from PG* "
          + "variables and ~/.pgpass.")
  String source;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "<CONN>",
      description = "Target database, in the same forms as --source.")
  String target;

  ConnectionSpec source() {
    return ConnectionSpec.parse(Side.SOURCE, source, client());
  }

  ConnectionSpec target() {
    return ConnectionSpec.parse(Side.TARGET, target, client());
  }

  /**
   * The process's environment as libpq would read it: the one place the tool reads {@code PG*}
   * variables, the user name and the home folder.
   */
  static ClientEnvironment client() {
    return new ClientEnvironment(
        System.getenv(), System.getProperty("user.name"), Path.of(System.getProperty("user.home")));
  }
}
