package io.tsbackfill.cli;

import io.tsbackfill.config.CopySettings;
import io.tsbackfill.config.CopySettings.Attach;
import io.tsbackfill.config.CopySettings.ChunkCreation;
import io.tsbackfill.config.CopySettings.RowOrderChoice;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the values of the settings' options read, whether given on the command line or taken from
 * their {@code BACKFILL_*} environment default: picocli reports a value these refuse as a usage
 * error (exit 2) naming the option. A blank value (an environment variable set to nothing) is the
 * default, as an unset one is.
 */
final class Settings {
  private Settings() {}

  /** on or off (also true/false, yes/no, 1/0); blank: on. */
  static final class OnOff implements ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
      return onOffOrAuto(value, false, "neither on nor off").orElse(true);
    }
  }

  /** auto, on or off. */
  static final class ChunkCreationValue implements ITypeConverter<ChunkCreation> {
    @Override
    public ChunkCreation convert(String value) {
      Boolean on = onOffOrAuto(value, true, "not auto, on or off").orElse(null);
      return on == null ? ChunkCreation.AUTO : on ? ChunkCreation.ON : ChunkCreation.OFF;
    }
  }

  /** auto, on or off. */
  static final class AttachValue implements ITypeConverter<Attach> {
    @Override
    public Attach convert(String value) {
      Boolean on = onOffOrAuto(value, true, "not auto, on or off").orElse(null);
      return on == null ? Attach.AUTO : on ? Attach.ON : Attach.OFF;
    }
  }

  /** auto, stored or last-first. */
  static final class RowOrderValue implements ITypeConverter<RowOrderChoice> {
    @Override
    public RowOrderChoice convert(String value) {
      return switch (normal(value)) {
        case "", "auto" -> RowOrderChoice.AUTO;
        case "stored" -> RowOrderChoice.STORED;
        case "last-first" -> RowOrderChoice.LAST_FIRST;
        default ->
            throw new TypeConversionException("'" + value + "' is not auto, stored or last-first");
      };
    }
  }

  /** Milliseconds, or a number with a unit: ms, s, min; blank: the default. */
  static final class LockTimeout implements ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|min)?");

    @Override
    public Duration convert(String value) {
      String v = normal(value);
      if (v.isEmpty()) {
        return CopySettings.DEFAULT_LOCK_TIMEOUT;
      }
      Matcher m = DURATION.matcher(v);
      if (!m.matches()) {
        throw new TypeConversionException(
            "'" + value + "' is not a duration (e.g. 3000, 500ms, 10s, 2min; 0 = no timeout)");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      return switch (unit) {
        case "s" -> Duration.ofSeconds(n);
        case "min" -> Duration.ofMinutes(n);
        default -> Duration.ofMillis(n);
      };
    }
  }

  /** True for on, false for off, empty for auto (when allowed) or blank. */
  private static java.util.Optional<Boolean> onOffOrAuto(String value, boolean auto, String not) {
    String v = normal(value);
    if (v.isEmpty() || (auto && v.equals("auto"))) {
      return java.util.Optional.empty();
    }
    return switch (v) {
      case "on", "true", "1", "yes" -> java.util.Optional.of(true);
      case "off", "false", "0", "no" -> java.util.Optional.of(false);
      default -> throw new TypeConversionException("'" + value + "' is " + not);
    };
  }

  private static String normal(String value) {
    return value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
  }
}
