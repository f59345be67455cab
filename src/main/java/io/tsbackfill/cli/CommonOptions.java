package io.tsbackfill.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes: verbosity. */
public final class CommonOptions {
  @Option(
      names = {"-v", "--verbose"},
      description = "More detail on stderr: -v debug messages, -vv also every SQL statement and"
          + " stack traces.")
  boolean[] verbose = new boolean[0];

  @Option(
      names = {"-q", "--quiet"},
      description = "Only warnings and errors on stderr.")
  boolean quiet;

  int verbosity() {
    return verbose.length;
  }
}
