package io.tsbackfill.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tsbackfill.db.Redactor;

/** Logback converter that masks passwords in every log message. */
public final class RedactingConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return Redactor.redact(super.convert(event));
  }
}
