package io.tsbackfill.cli;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Side;
import picocli.CommandLine.Option;

/** {@code --target} alone, for the commands that never touch the source. */
final class TargetOption {
  @Option(
      names = "--target",
      required = true,
      paramLabel = "<CONN>",
      description = "Target database: postgres://user:pass@host:port/db?sslmode=..., "
          + "'host=... dbname=...' or jdbc:postgresql://...; missing parts come from PG* "
          + "variables and ~/.pgpass.")
  String target;

  ConnectionSpec spec() {
    return ConnectionSpec.parse(Side.TARGET, target, ConnectionOptions.client());
  }
}
