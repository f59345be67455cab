package io.tsbackfill.cli;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Side;
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
    return ConnectionSpec.parse(Side.SOURCE, source);
  }

  ConnectionSpec target() {
    return ConnectionSpec.parse(Side.TARGET, target);
  }
}
