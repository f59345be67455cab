package io.tsbackfill.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes: verbosity, output format, log file. */
public final class CommonOptions {
  @Option(
      names = {"-v", "--verbose"},
      description =
          "More detail on stderr: -v debug messages, -vv also every SQL statement and"
              + " stack traces.")
  boolean[] verbose = new boolean[0];

  @Option(
      names = {"-q", "--quiet"},
      description =
          "Quiet: only warnings, errors and the final summary (no banner, progress,"
              + " chunk lines or notes); JSON events are unchanged.")
  boolean quiet;

  /** The console levels {@code --log-level} names, each the same as a -v/-q spelling. */
  enum LogLevel {
    /** As {@code -q}. */
    WARN,
    /** The default. */
    INFO,
    /** As {@code -v}. */
    DEBUG,
    /** As {@code -vv}. */
    TRACE
  }

  @Option(
      names = "--log-level",
      paramLabel = "<LEVEL>",
      defaultValue = "${env:BACKFILL_LOG_LEVEL}",
      description =
          "The console's level where -v and -q are not given (they win): warn"
              + " (as -q), info, debug (as -v) or trace (as -vv) (default: info, or"
              + " BACKFILL_LOG_LEVEL).")
  LogLevel logLevel;

  @Option(
      names = "--output",
      paramLabel = "<FORMAT>",
      defaultValue = "text",
      description =
          "text (default) or json: newline-delimited JSON events on stdout and nothing"
              + " else; human messages then go to stderr.")
  Output output;

  @Option(
      names = "--disable-telemetry",
      description =
          "Accepted for runbooks written for the original tool; this tool reports"
              + " nothing anywhere, so there is nothing to disable.")
  boolean disableTelemetry;

  @Option(
      names = "--log-file",
      paramLabel = "<PATH>",
      description =
          "Also write every log message with full detail (debug level, every SQL"
              + " statement) to this file, appending; the console keeps its level.")
  java.nio.file.Path logFile;

  /** Whether -v or -q is on the command line: then they decide, whatever --log-level says. */
  private boolean verbosityGiven() {
    return verbose.length > 0 || quiet;
  }

  /** How many -v: given, or as --log-level (or BACKFILL_LOG_LEVEL) spells it. */
  int verbosity() {
    if (verbosityGiven() || logLevel == null) {
      return verbose.length;
    }
    return switch (logLevel) {
      case DEBUG -> 1;
      case TRACE -> 2;
      case WARN, INFO -> 0;
    };
  }

  /** Whether only warnings and errors go to the console: -q, or --log-level warn. */
  boolean quiet() {
    return verbosityGiven() ? quiet : logLevel == LogLevel.WARN;
  }
}
