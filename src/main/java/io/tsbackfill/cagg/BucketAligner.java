package io.tsbackfill.cagg;

import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Widens a range of changed time values to the buckets of one continuous aggregate that contain it,
 * by calling the cagg's own bucket function (with its width, origin, offset and time zone) on the
 * target. A forced refresh re-materializes only the buckets wholly inside its window, so a window
 * must start at the first such bucket and end where the bucket after the last one starts; doing
 * that arithmetic here would mean re-implementing months, time zones and origins.
 */
final class BucketAligner {
  private final String sql;

  /** The bucket function of a cagg as its catalog records it. */
  private record Fn(
      String schema,
      String name,
      List<String> argNames,
      List<String> argTypes,
      String width,
      String origin,
      String offset,
      String timezone) {

    /** The type of argument {@code arg} of the function. */
    String typeOf(String arg) {
      int i = argNames.indexOf(arg);
      if (i < 0 || i >= argTypes.size()) {
        throw BackfillException.badState(
            "bucket function " + schema + "." + name + " has no argument named " + arg);
      }
      return argTypes.get(i);
    }
  }

  private BucketAligner(String sql) {
    this.sql = sql;
  }

  /** The aligner of the target cagg with materialization hypertable {@code matHypertableId}. */
  static BucketAligner of(Connection t, TimescaleInfo info, int matHypertableId, String timeType)
      throws SQLException {
    Fn fn =
        Jdbc.queryOne(
                t,
                Sql.load("cagg/bucket-function"),
                rs ->
                    new Fn(
                        rs.getString(1),
                        rs.getString(2),
                        strings(rs.getArray(3)),
                        strings(rs.getArray(4)),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8)),
                matHypertableId)
            .orElseThrow(
                () ->
                    BackfillException.badState(
                        "the target's catalog has no bucket function for the continuous aggregate"
                            + " of materialization hypertable id "
                            + matHypertableId));
    String widthType = fn.typeOf("bucket_width");
    String tsType = fn.typeOf("ts");
    String width = Ident.literal(fn.width()) + "::" + widthType;
    String fnName = Ident.quote(fn.schema()) + "." + Ident.quote(fn.name());
    // Named arguments, and only those the cagg was created with: the others take their defaults.
    StringBuilder rest = new StringBuilder();
    if (fn.timezone() != null) {
      rest.append(", timezone => ").append(Ident.literal(fn.timezone()));
    }
    if (fn.origin() != null) {
      rest.append(", origin => ")
          .append(Ident.literal(fn.origin()))
          .append("::")
          .append(fn.typeOf("origin"));
    }
    if (fn.offset() != null) {
      rest.append(", \"offset\" => ")
          .append(Ident.literal(fn.offset()))
          .append("::")
          .append(fn.typeOf("offset"));
    }
    String bucket = fnName + "(bucket_width => " + width + ", ts => (%s)::" + tsType + rest + ")";
    String proc = Ident.quote(info.procSchema());
    String value =
        switch (timeType) {
          case "timestamp with time zone" -> proc + ".to_timestamp(%s)";
          case "timestamp without time zone" -> proc + ".to_timestamp_without_timezone(%s)";
          case "date" -> proc + ".to_date(%s)";
          case "smallint", "integer", "bigint" -> "(%s)::" + timeType;
          default ->
              throw BackfillException.badState(
                  "a continuous aggregate has time type "
                      + timeType
                      + ", which refresh-caggs"
                      + " does not know how to bucket");
        };
    String internal =
        switch (timeType) {
          case "timestamp with time zone" -> proc + ".to_unix_microseconds(%s)";
          case "timestamp without time zone" ->
              proc + ".to_unix_microseconds((%s) AT TIME ZONE 'UTC')";
          case "date" -> proc + ".to_unix_microseconds((%s)::timestamp AT TIME ZONE 'UTC')";
          default -> "(%s)::bigint";
        };
    // The end: the start of the bucket after the one holding the last value, found as the bucket
    // of a point one and a half widths into it (a month is 28 to 31 days; any bucket is longer
    // than half the next).
    String first = String.format(bucket, String.format(value, "r.lowest"));
    String last = String.format(bucket, String.format(value, "r.greatest"));
    String next = String.format(bucket, "(" + last + ") + " + width + " * 3 / 2");
    String query =
        "SELECT "
            + String.format(internal, first)
            + ", "
            + String.format(internal, next)
            + " FROM unnest(?::bigint[], ?::bigint[]) WITH ORDINALITY AS r(lowest, greatest, i)"
            + " ORDER BY r.i";
    return new BucketAligner(query);
  }

  /**
   * The buckets holding each inclusive internal range [start, end - 1] of {@code ranges}, as [first
   * bucket's start, the start of the bucket after the last), in one round trip.
   */
  List<Window> align(Connection t, List<Window> ranges) throws SQLException {
    if (ranges.isEmpty()) {
      return List.of();
    }
    Long[] lowest = ranges.stream().map(Window::start).toArray(Long[]::new);
    Long[] greatest = ranges.stream().map(w -> w.end() - 1).toArray(Long[]::new);
    return Jdbc.query(
        t,
        sql,
        rs -> new Window(rs.getLong(1), rs.getLong(2)),
        t.createArrayOf("bigint", lowest),
        t.createArrayOf("bigint", greatest));
  }

  private static List<String> strings(Array a) throws SQLException {
    return a == null ? List.of() : new ArrayList<>(Arrays.asList((String[]) a.getArray()));
  }
}
