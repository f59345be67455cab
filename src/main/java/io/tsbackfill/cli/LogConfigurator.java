package io.tsbackfill.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Logback's configuration, in code (found through {@code META-INF/services}): log lines go to
 * stderr, results (progress, summaries) to stdout; every message passes the redactor ({@code
 * %redactedMsg}, also in the log file's pattern). Levels are set from -v/-q by {@link Logging}. A
 * {@code logback.xml} would cost each start an XML parser and logback's Joran configurator,
 * hundreds of classes (docs/performance.md).
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String CONSOLE_APPENDER = "STDERR";

  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    @SuppressWarnings("unchecked")
    Map<String, Supplier<DynamicConverter<?>>> rules =
        (Map<String, Supplier<DynamicConverter<?>>>)
            ctx.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
    if (rules == null) {
      rules = new HashMap<>();
      ctx.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
    }
    rules.put("redactedMsg", RedactingConverter::new);

    PatternLayoutEncoder encoder = encoder(ctx, "%d{HH:mm:ss.SSS} %-5level %redactedMsg%n%nopex");
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(ctx);
    console.setName(CONSOLE_APPENDER);
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();

    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(console);
    ctx.getLogger("io.tsbackfill").setLevel(Level.INFO);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** A started encoder of {@code pattern} ({@code %redactedMsg} needs {@link #configure} first). */
  static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern(pattern);
    encoder.start();
    return encoder;
  }
}
