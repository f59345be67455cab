package io.tsbackfill.report;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * TimescaleDB's internal time values (dimension slices, bounds) as operators read them: ISO 8601 in
 * the column's type. {@code timestamptz} in UTC ({@code 2024-01-04T12:00:00Z}), {@code timestamp}
 * without an offset, {@code date} as a date, integer types as integers. The slices' open ends
 * (TimescaleDB's int64 minimum and maximum) render as null: no bound.
 */
public final class TimeValues {
  private static final DateTimeFormatter DATE_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .toFormatter(java.util.Locale.ROOT);
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private TimeValues() {}

  /** A half-open range {@code [start, end)}; a null end is open. */
  public record Range(String start, String end) {
    /** {@code [start, end)}, with {@code -infinity} / {@code infinity} for open ends. */
    public String text() {
      return "["
          + (start == null ? "-infinity" : start)
          + ", "
          + (end == null ? "infinity" : end)
          + ")";
    }
  }

  /** The range of a slice {@code [start, end)} of a column of type {@code columnType}. */
  public static Range range(String columnType, long start, long end) {
    return new Range(render(columnType, start), render(columnType, end));
  }

  /**
   * {@code internal} (microseconds since the Unix epoch for time types, the value itself for
   * integers) in the type's plain form; null for the open ends; the number itself for types it does
   * not know.
   */
  public static String render(String columnType, long internal) {
    if (internal == Long.MIN_VALUE || internal == Long.MAX_VALUE) {
      return null;
    }
    return switch (columnType) {
      case "timestamp with time zone", "timestamptz" -> DATE_TIME.format(dateTime(internal)) + "Z";
      case "timestamp without time zone", "timestamp" -> DATE_TIME.format(dateTime(internal));
      case "date" ->
          Math.floorMod(internal, MICROS_PER_DAY) == 0
              ? dateTime(internal).toLocalDate().toString()
              : DATE_TIME.format(dateTime(internal));
      default -> Long.toString(internal);
    };
  }

  private static LocalDateTime dateTime(long micros) {
    Instant i =
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    return LocalDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
