package io.tsbackfill.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets log levels from {@code -v}/{@code -q}, or from {@code BACKFILL_LOG_LEVEL} / the system
 * property {@code backfill.log.level} (tests switch debug output on this way). INFO for the tool by
 * default and WARN for libraries; {@code -v} shows the tool's debug messages, {@code -vv} also every
 * SQL statement, {@code -vvv} libraries' debug output too.
 */
final class Logging {
  /** pgjdbc logs through java.util.logging; held here so the level set below sticks. */
  private static final java.util.logging.Logger PGJDBC =
      java.util.logging.Logger.getLogger("org.postgresql");

  private Logging() {}

  static void configure(int verbosity, boolean quiet) {
    String override = System.getProperty("backfill.log.level", System.getenv("BACKFILL_LOG_LEVEL"));
    Level tool = Level.INFO;
    Level sql = Level.INFO;
    Level libraries = Level.WARN;
    if (quiet) {
      tool = Level.WARN;
      sql = Level.WARN;
    } else if (verbosity >= 1) {
      tool = Level.DEBUG;
      sql = verbosity >= 2 ? Level.DEBUG : Level.INFO;
      libraries = verbosity >= 3 ? Level.DEBUG : Level.WARN;
    }
    if (override != null && !override.isBlank()) {
      Level l = Level.toLevel(override.strip(), tool);
      tool = l;
      if (l.isGreaterOrEqual(Level.INFO) || verbosity >= 2) {
        sql = l;
      }
    }
    // The driver's own warnings (with stack traces, e.g. a broken pipe while a server restarts)
    // reach the console through java.util.logging; the tool reports connection errors itself.
    PGJDBC.setLevel(
        verbosity >= 3 ? java.util.logging.Level.WARNING : java.util.logging.Level.OFF);
    logger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(libraries);
    logger("io.tsbackfill").setLevel(tool);
    logger("io.tsbackfill.sql").setLevel(sql);
  }

  private static Logger logger(String name) {
    return (Logger) LoggerFactory.getLogger(name);
  }
}
