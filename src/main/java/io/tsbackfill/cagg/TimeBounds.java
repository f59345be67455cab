package io.tsbackfill.cagg;

import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Internal time values (TimescaleDB's int64: microseconds since the epoch, or the integer itself)
 * as a continuous aggregate's time type shows them, rendered by the server's own functions so that
 * refresh windows and compared ranges mean exactly what TimescaleDB means.
 */
public final class TimeBounds {
  private TimeBounds() {}

  /** {@code value} as text of {@code timeType} on {@code c} (integers as they are). */
  public static String text(
      Connection c, TimescaleInfo info, String timeType, long value, String what)
      throws SQLException {
    String file =
        switch (timeType) {
          case "smallint", "integer", "bigint" -> null;
          case "timestamp with time zone" -> "cagg/bound-timestamptz";
          case "timestamp without time zone" -> "cagg/bound-timestamp";
          case "date" -> "cagg/bound-date";
          default ->
              throw BackfillException.badState(
                  "continuous aggregate "
                      + what
                      + " has time type "
                      + timeType
                      + ", which the tool does not know how to bound");
        };
    if (file == null) {
      return Long.toString(value);
    }
    return Jdbc.queryOne(c, Sql.load(file, info.procSchema()), rs -> rs.getString(1), value)
        .orElseThrow();
  }

  /** A typed SQL literal of rendered {@code value}. */
  public static String typed(String value, String timeType) {
    return Ident.literal(value) + "::" + timeType;
  }

  /** {@code value} as a typed SQL literal of {@code timeType}, rendered on {@code c}. */
  public static String literal(
      Connection c, TimescaleInfo info, String timeType, long value, String what)
      throws SQLException {
    return typed(text(c, info, timeType, value, what), timeType);
  }
}
