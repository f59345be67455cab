package io.tsbackfill.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes: verbosity, output format, log file. */
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

  @Option(
      names = "--output",
      paramLabel = "<FORMAT>",
      defaultValue = "text",
      description = "text (default) or json: newline-delimited JSON events on stdout and nothing"
          + " else; human messages then go to stderr.")
  Output output;

  @Option(
      names = "--log-file",
      paramLabel = "<PATH>",
      description = "Also write every log message with full detail (debug level, every SQL"
          + " statement) to this file, appending; the console keeps its level.")
  java.nio.file.Path logFile;

  int verbosity() {
    return verbose.length;
  }
}
