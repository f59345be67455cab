package io.tsbackfill.cli;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Side;
import picocli.CommandLine.Option;

/** {@code --target} alone, for the commands that never touch the source. */
final class TargetOption {
  @Option(
      names = "--target",
      paramLabel = "<CONN>",
      defaultValue = "${env:BACKFILL_TARGET}",
      description =
          "Target database: postgres://user:pass@host:port/db?sslmode=..., "
              + "'host=... dbname=...' or jdbc:postgresql://...; missing parts come from PG* "
              + "variables and ~/.pgpass. Required, here or in BACKFILL_TARGET.")
  String target;

  ConnectionSpec spec() {
    return ConnectionOptions.spec(Side.TARGET, target);
  }
}
