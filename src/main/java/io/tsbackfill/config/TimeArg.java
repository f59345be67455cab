package io.tsbackfill.config;

import io.tsbackfill.error.BackfillException;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --until} or {@code --from} value, read without a database: an integer (for integer time
 * columns), an ISO 8601 date ({@code 2024-01-04}, or {@code 2024-01-04Z} for midnight UTC), or an
 * ISO 8601 date and time with or without a UTC offset ({@code 2024-01-04T12:00:00}, {@code
 * 2024-01-04 12:00+02:00}, {@code ...Z}). Anything else is refused: PostgreSQL would also take
 * {@code now}, {@code yesterday}, {@code infinity} or {@code 04/01/2024}, whose meaning depends on
 * when the tool runs or on {@code DateStyle}, and a bound must mean the same in every stage run.
 *
 * <p>A date and time without an offset, and a date, are read in UTC where the column is {@code
 * timestamptz}: the same bound on every machine, whatever its {@code TZ} or the server's {@code
 * TimeZone}.
 */
public record TimeArg(
    String option,
    String text,
    BigInteger integer,
    LocalDateTime local,
    ZoneOffset offset,
    boolean dateOnly) {
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");
  private static final Pattern DATE_TIME =
      Pattern.compile(
          "(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,6})?)?)"
              + "(Z|[+-]\\d{2}(?::?\\d{2})?)?|(Z))?",
          Pattern.CASE_INSENSITIVE);
  private static final DateTimeFormatter TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("HH:mm")
          .optionalStart()
          .appendPattern(":ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 6, true)
          .toFormatter(java.util.Locale.ROOT);

  /** Reads {@code text} as the value of {@code option}; a usage error (exit 2) if it is none. */
  public static TimeArg parse(String option, String text) {
    String v = text.strip();
    if (INTEGER.matcher(v).matches()) {
      return new TimeArg(option, v, new BigInteger(v), null, null, false);
    }
    Matcher m = DATE_TIME.matcher(v);
    if (m.matches()) {
      try {
        LocalDate date = LocalDate.parse(m.group(1));
        LocalTime time =
            m.group(2) == null ? LocalTime.MIDNIGHT : LocalTime.parse(m.group(2), TIME);
        String zone = m.group(3) != null ? m.group(3) : m.group(4);
        ZoneOffset offset = zone == null ? null : offset(zone);
        return new TimeArg(option, v, null, date.atTime(time), offset, m.group(2) == null);
      } catch (DateTimeException e) {
        throw BackfillException.usage("invalid " + option + " '" + text + "': " + e.getMessage());
      }
    }
    throw BackfillException.usage(
        "invalid "
            + option
            + " '"
            + text
            + "': give an ISO 8601 date (2024-01-04), date and time"
            + " (2024-01-04T12:00:00, with an offset such as Z or +02:00 to name its time zone)"
            + " or an integer");
  }

  private static ZoneOffset offset(String text) {
    if (text.equalsIgnoreCase("Z")) {
      return ZoneOffset.UTC;
    }
    String digits = text.substring(1).replace(":", "");
    int hours = Integer.parseInt(digits.substring(0, 2));
    int minutes = digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0;
    int sign = text.charAt(0) == '-' ? -1 : 1;
    return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
  }

  public boolean isInteger() {
    return integer != null;
  }

  /** Whether a date and time came without an offset (a date alone has none either). */
  public boolean lacksOffset() {
    return integer == null && offset == null;
  }

  /**
   * The value as PostgreSQL reads it for a column of {@code sqlType} ({@code timestamptz}, {@code
   * timestamp} or {@code date}), explicit whatever the session's time zone: with an offset (UTC
   * when none was given) for timestamptz; the date and time as given, without its offset, for
   * timestamp and date, as PostgreSQL's own cast reads them.
   */
  public String forType(String sqlType) {
    String wall = ISO.format(local);
    if ("timestamptz".equals(sqlType)) {
      return wall + (offset == null ? ZoneOffset.UTC : offset).getId().replace("Z", "+00:00");
    }
    return wall;
  }

  /**
   * Whether this bound lies before {@code other} (both integers, or both dates and times compared
   * as instants, offset-less ones in UTC); null when one is an integer and the other is not.
   */
  public Boolean isBefore(TimeArg other) {
    if (isInteger() != other.isInteger()) {
      return null;
    }
    if (isInteger()) {
      return integer.compareTo(other.integer) < 0;
    }
    return instant().isBefore(other.instant());
  }

  private java.time.Instant instant() {
    return local.toInstant(offset == null ? ZoneOffset.UTC : offset);
  }

  private static final DateTimeFormatter ISO =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
          .toFormatter(java.util.Locale.ROOT);
}
