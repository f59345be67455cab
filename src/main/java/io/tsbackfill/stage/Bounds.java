package io.tsbackfill.stage;

import io.tsbackfill.catalog.Hypertable;
import io.tsbackfill.db.BackfillException;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.report.TimeValues;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * Turns {@code --until}/{@code --from} into per-hypertable bounds. Integer time columns take an
 * integer literal that fits the column type (negative allowed); datetime columns take whatever the
 * source server can cast to the column's type. Anything else is a usage error naming the
 * hypertable and the option.
 */
final class Bounds {
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");

  private Bounds() {}

  /** Up-front check of one option's value, before any hypertable is looked at. */
  static void validate(Connection s, String option, String value) throws SQLException {
    if (INTEGER.matcher(value).matches()) {
      return;
    }
    if (!castsTo(s, value, "timestamptz")) {
      throw BackfillException.usage(
          "invalid " + option + " '" + value + "': neither an integer nor a date/time");
    }
  }

  /** Up-front check that --from is before --until when both are integers or both datetimes. */
  static void checkOrder(Connection s, String from, String until) throws SQLException {
    boolean fromInt = INTEGER.matcher(from).matches();
    boolean untilInt = INTEGER.matcher(until).matches();
    boolean before;
    if (fromInt && untilInt) {
      before = new java.math.BigInteger(from).compareTo(new java.math.BigInteger(until)) < 0;
    } else if (!fromInt && !untilInt) {
      before =
          Jdbc.queryOne(s, "SELECT ?::timestamptz < ?::timestamptz", rs -> rs.getBoolean(1), from, until)
              .orElse(false);
    } else {
      return;
    }
    if (!before) {
      throw BackfillException.usage(
          "--from '" + from + "' must be before --until '" + until + "'");
    }
  }

  /** The bound for hypertable {@code h}, or a usage error naming it. */
  static TimeBound resolve(
      Connection s, String procSchema, Hypertable h, String option, String value)
      throws SQLException {
    String type = h.timeDimension().columnType();
    switch (type) {
      case "smallint", "integer", "bigint" -> {
        long v = parseInteger(h, option, value, type);
        return new TimeBound(v, Long.toString(v), Long.toString(v));
      }
      case "timestamp with time zone", "timestamp without time zone", "date" -> {
        String sqlType =
            switch (type) {
              case "timestamp with time zone" -> "timestamptz";
              case "timestamp without time zone" -> "timestamp";
              default -> "date";
            };
        if (INTEGER.matcher(value).matches()) {
          throw BackfillException.usage(
              option + " '" + value + "' is an integer, but " + h.plainName()
                  + " has time column " + quoteName(h) + " of type " + type
                  + "; stage it in a separate run with a --filter and a date/time bound");
        }
        String sql =
            "SELECT "
                + io.tsbackfill.db.Ident.quote(procSchema)
                + ".time_to_internal(?::"
                + sqlType
                + "), format('%L', (?::"
                + sqlType
                + ")::text)";
        try {
          return Jdbc.queryOne(
                  s,
                  sql,
                  rs ->
                      new TimeBound(
                          rs.getLong(1),
                          rs.getString(2),
                          TimeValues.render(type, rs.getLong(1))),
                  value,
                  value)
              .orElseThrow();
        } catch (SQLException e) {
          String state = e.getSQLState();
          if (state != null && state.startsWith("22")) {
            throw BackfillException.usage(
                option + " '" + value + "' is not a valid " + type + " for " + h.plainName()
                    + ": " + SqlStates.serverMessage(e));
          }
          throw e;
        }
      }
      default ->
          throw BackfillException.usage(
              h.plainName() + " has time column " + quoteName(h) + " of type " + type
                  + ", which --until/--from cannot express; exclude it with --filter");
    }
  }

  private static long parseInteger(Hypertable h, String option, String value, String type) {
    if (!INTEGER.matcher(value).matches()) {
      throw BackfillException.usage(
          option + " '" + value + "' is not an integer, but " + h.plainName()
              + " has an integer time column " + quoteName(h) + " (" + type
              + "); stage it in a separate run with a --filter and an integer bound");
    }
    long min;
    long max;
    switch (type) {
      case "smallint" -> {
        min = Short.MIN_VALUE;
        max = Short.MAX_VALUE;
      }
      case "integer" -> {
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
      }
      default -> {
        min = Long.MIN_VALUE;
        max = Long.MAX_VALUE;
      }
    }
    java.math.BigInteger v = new java.math.BigInteger(value);
    if (v.compareTo(java.math.BigInteger.valueOf(min)) < 0
        || v.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
      throw BackfillException.usage(
          option + " '" + value + "' does not fit the " + type + " time column "
              + quoteName(h) + " of " + h.plainName() + " (" + min + " to " + max + ")");
    }
    return v.longValueExact();
  }

  private static boolean castsTo(Connection s, String value, String type) throws SQLException {
    boolean auto = s.getAutoCommit();
    try {
      Jdbc.queryOne(s, "SELECT ?::" + type, rs -> rs.getObject(1), value);
      return true;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
        if (!auto) {
          s.rollback();
        }
        return false;
      }
      throw e;
    }
  }

  private static String quoteName(Hypertable h) {
    return io.tsbackfill.db.Ident.quote(h.timeDimension().column());
  }
}
