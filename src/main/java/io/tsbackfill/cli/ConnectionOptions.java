package io.tsbackfill.cli;

import io.tsbackfill.db.ClientEnvironment;
import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Side;
import io.tsbackfill.error.BackfillException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --source} and {@code --target}: libpq URIs, key=value strings or JDBC URLs, also from
 * {@code BACKFILL_SOURCE} and {@code BACKFILL_TARGET}, so that a password need not stand on the
 * command line, where {@code ps} shows it to every user of the machine.
 */
public final class ConnectionOptions {
  @Option(
      names = "--source",
      paramLabel = "<CONN>",
      defaultValue = "${env:BACKFILL_SOURCE}",
      description =
          "Source database: postgres://user:pass@host:port/db?sslmode=..., "
              + "'host=... dbname=...' or jdbc:postgresql://...; missing parts come from PG* "
              + "variables and ~/.pgpass. Required, here or in BACKFILL_SOURCE.")
  String source;

  @Option(
      names = "--target",
      paramLabel = "<CONN>",
      defaultValue = "${env:BACKFILL_TARGET}",
      description =
          "Target database, in the same forms as --source. Required, here or in"
              + " BACKFILL_TARGET.")
  String target;

  ConnectionSpec source() {
    return spec(Side.SOURCE, source);
  }

  ConnectionSpec target() {
    return spec(Side.TARGET, target);
  }

  /** The parsed connection string, or a usage error naming the option and its variable. */
  static ConnectionSpec spec(Side side, String text) {
    if (text == null) {
      String option = "--" + side.label();
      throw BackfillException.usage(
          "missing "
              + option
              + " (give "
              + option
              + " or set BACKFILL_"
              + side.label().toUpperCase(java.util.Locale.ROOT)
              + ")");
    }
    return ConnectionSpec.parse(side, text, client());
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
