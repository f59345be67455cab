package io.tsbackfill.stage;

import io.tsbackfill.catalog.Hypertable;
import io.tsbackfill.config.TimeArg;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.report.TimeValues;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Turns {@code --until}/{@code --from} ({@link TimeArg}s, checked already) into per-hypertable
 * bounds. Integer time columns take an integer that fits the column type (negative allowed);
 * datetime columns take an ISO 8601 date or date and time, which the source server turns into
 * TimescaleDB's internal value. Anything else is a usage error naming the hypertable and the
 * option. The row filter's literal is the plain value ({@link TimeValues}), so the task table reads
 * the same whatever the time zone of the tool or the server.
 */
final class Bounds {
  private Bounds() {}

  /** The bound for hypertable {@code h}, or a usage error naming it. */
  static TimeBound resolve(Connection s, String procSchema, Hypertable h, TimeArg arg)
      throws SQLException {
    String type = h.timeDimension().columnType();
    switch (type) {
      case "smallint", "integer", "bigint" -> {
        long v = parseInteger(h, arg, type);
        return new TimeBound(v, Long.toString(v), Long.toString(v));
      }
      case "timestamp with time zone", "timestamp without time zone", "date" -> {
        String sqlType =
            switch (type) {
              case "timestamp with time zone" -> "timestamptz";
              case "timestamp without time zone" -> "timestamp";
              default -> "date";
            };
        if (arg.isInteger()) {
          throw BackfillException.usage(
              arg.option()
                  + " '"
                  + arg.text()
                  + "' is an integer, but "
                  + h.plainName()
                  + " has time column "
                  + quoteName(h)
                  + " of type "
                  + type
                  + "; stage it in a separate run with a --filter and a date/time bound");
        }
        String sql = "SELECT " + Ident.quote(procSchema) + ".time_to_internal(?::" + sqlType + ")";
        try {
          long internal =
              Jdbc.queryOne(s, sql, rs -> rs.getLong(1), arg.forType(sqlType)).orElseThrow();
          String value = TimeValues.render(type, internal);
          return new TimeBound(internal, Ident.literal(value), value);
        } catch (SQLException e) {
          String state = e.getSQLState();
          if (state != null && state.startsWith("22")) {
            throw BackfillException.usage(
                arg.option()
                    + " '"
                    + arg.text()
                    + "' is not a valid "
                    + type
                    + " for "
                    + h.plainName()
                    + ": "
                    + SqlStates.serverMessage(e));
          }
          throw e;
        }
      }
      default ->
          throw BackfillException.usage(
              h.plainName()
                  + " has time column "
                  + quoteName(h)
                  + " of type "
                  + type
                  + ", which --until/--from cannot express; exclude it with --filter");
    }
  }

  private static long parseInteger(Hypertable h, TimeArg arg, String type) {
    if (!arg.isInteger()) {
      throw BackfillException.usage(
          arg.option()
              + " '"
              + arg.text()
              + "' is not an integer, but "
              + h.plainName()
              + " has an integer time column "
              + quoteName(h)
              + " ("
              + type
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
    java.math.BigInteger v = arg.integer();
    if (v.compareTo(java.math.BigInteger.valueOf(min)) < 0
        || v.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
      throw BackfillException.usage(
          arg.option()
              + " '"
              + arg.text()
              + "' does not fit the "
              + type
              + " time column "
              + quoteName(h)
              + " of "
              + h.plainName()
              + " ("
              + min
              + " to "
              + max
              + ")");
    }
    return v.longValueExact();
  }

  private static String quoteName(Hypertable h) {
    return Ident.quoteIfNeeded(h.timeDimension().column());
  }
}
