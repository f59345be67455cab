package io.tsbackfill.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.tsbackfill.error.BackfillException;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sets log levels from {@code -v}/{@code -q} (or {@code --log-level}, which {@link CommonOptions}
 * turns into the same). INFO for the tool by default and WARN for libraries; {@code -v} shows the
 * tool's debug messages, {@code -vv} also every SQL statement, {@code -vvv} libraries' debug output
 * too. With {@code --log-file} the loggers run at full detail into the file while a filter keeps
 * the console at the levels above.
 */
final class Logging {
  private static final String FILE_APPENDER = "FILE";
  private static final String CONSOLE_APPENDER = LogConfigurator.CONSOLE_APPENDER;

  /** The console's own lines, copied into the log file; never shown twice on the console. */
  static final String PROGRESS = "io.tsbackfill.progress";

  /**
   * HikariCP's logger for "Connection ... marked as broken because of SQLSTATE(...)", a WARN after
   * every connection error: the tool reports the error itself, with its chunk and side, so on the
   * console this chatter counts as debug (-v); the log file keeps it.
   */
  static final String POOL_CONNECTION = "com.zaxxer.hikari.pool.ProxyConnection";

  /** pgjdbc logs through java.util.logging; held here so the level set below sticks. */
  private static final java.util.logging.Logger PGJDBC =
      java.util.logging.Logger.getLogger("org.postgresql");

  private Logging() {}

  static void configure(int verbosity, boolean quiet, Path logFile) {
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
    // The driver's own warnings (with stack traces, e.g. a broken pipe while a server restarts)
    // reach the console through java.util.logging; the tool reports connection errors itself.
    PGJDBC.setLevel(verbosity >= 3 ? java.util.logging.Level.WARNING : java.util.logging.Level.OFF);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    closeFile();
    Appender<ILoggingEvent> console = root.getAppender(CONSOLE_APPENDER);
    if (console != null) {
      console.clearAllFilters();
      console.addFilter(new ConsoleLevels(tool, sql, libraries));
    }
    if (logFile == null) {
      root.setLevel(libraries);
      ctx.getLogger("io.tsbackfill").setLevel(tool);
      ctx.getLogger("io.tsbackfill.sql").setLevel(sql);
      ctx.getLogger(PROGRESS).setLevel(Level.OFF);
      return;
    }
    root.setLevel(libraries.isGreaterOrEqual(Level.INFO) ? Level.INFO : libraries);
    ctx.getLogger("io.tsbackfill").setLevel(Level.DEBUG);
    ctx.getLogger("io.tsbackfill.sql").setLevel(Level.DEBUG);
    ctx.getLogger(PROGRESS).setLevel(Level.INFO);
    PatternLayoutEncoder encoder =
        LogConfigurator.encoder(
            ctx, "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} %redactedMsg%n");
    FileAppender<ILoggingEvent> file = new FileAppender<>();
    file.setName(FILE_APPENDER);
    file.setContext(ctx);
    file.setFile(logFile.toString());
    file.setAppend(true);
    file.setEncoder(encoder);
    file.start();
    if (!file.isStarted()) {
      throw BackfillException.usage("cannot write the log file " + logFile);
    }
    root.addAppender(file);
  }

  /** Detaches and closes the log file, if any (each command run configures afresh). */
  static void closeFile() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> old = root.getAppender(FILE_APPENDER);
    if (old != null) {
      root.detachAppender(old);
      old.stop();
    }
  }

  /** Keeps the console at the levels -v/-q ask for while the loggers feed the file everything. */
  private static final class ConsoleLevels extends Filter<ILoggingEvent> {
    private final Level tool;
    private final Level sql;
    private final Level libraries;

    ConsoleLevels(Level tool, Level sql, Level libraries) {
      this.tool = tool;
      this.sql = sql;
      this.libraries = libraries;
      start();
    }

    @Override
    public FilterReply decide(ILoggingEvent e) {
      String name = e.getLoggerName();
      if (name.equals(PROGRESS)) {
        return FilterReply.DENY;
      }
      if (name.equals(POOL_CONNECTION)) {
        return Level.DEBUG.isGreaterOrEqual(tool) ? FilterReply.NEUTRAL : FilterReply.DENY;
      }
      Level min =
          name.startsWith("io.tsbackfill.sql")
              ? sql
              : name.startsWith("io.tsbackfill") ? tool : libraries;
      return e.getLevel().isGreaterOrEqual(min) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
  }
}
