package io.tsbackfill.verify;

import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The aggregates verify compares for one set of rows: the row count and, per column, the non-NULL
 * count, min, max and sum where they apply. One SQL column per aggregate, split into several
 * queries only past {@link #MAX_EXPRESSIONS} aggregates, so any column count works (a single {@code
 * json_build_object} stops at 50 columns: functions take at most 100 arguments).
 */
final class Summary {
  /** Aggregates per query; PostgreSQL allows 1664 result columns. */
  static final int MAX_EXPRESSIONS = 1000;

  static final String ROWS = "rows";

  /** One aggregate of one column; {@code column} is null for the row count. */
  record Aggregate(String kind, String column, String sql) {
    String label() {
      return column == null ? kind : kind + "(" + Ident.quote(column) + ")";
    }
  }

  private final List<Aggregate> aggregates;

  private Summary(List<Aggregate> aggregates) {
    this.aggregates = aggregates;
  }

  /** The summary for the columns of relation {@code schema.table}, read from its catalog. */
  static Summary forRelation(Connection c, String schema, String table) throws SQLException {
    List<SummaryColumn> columns =
        Jdbc.query(
            c,
            Sql.load("verify/summary-columns"),
            rs ->
                new SummaryColumn(
                    rs.getString(1),
                    rs.getBoolean(2),
                    rs.getBoolean(3),
                    rs.getBoolean(4),
                    rs.getBoolean(5),
                    rs.getBoolean(6),
                    rs.getBoolean(7)),
            schema,
            table);
    return of(columns);
  }

  static Summary of(List<SummaryColumn> columns) {
    List<Aggregate> out = new ArrayList<>();
    out.add(new Aggregate(ROWS, null, "count(*)"));
    for (SummaryColumn col : columns) {
      String q = Ident.quote(col.name());
      String value = col.asText() ? q + "::text" : q;
      String ordered = col.collatable() ? value + " COLLATE \"C\"" : value;
      out.add(new Aggregate("count", col.name(), "count(" + q + ")"));
      if (col.hasMin()) {
        out.add(new Aggregate("min", col.name(), "min(" + ordered + ")::text"));
      }
      if (col.hasMax()) {
        out.add(new Aggregate("max", col.name(), "max(" + ordered + ")::text"));
      }
      if (col.hasSum()) {
        out.add(new Aggregate("sum", col.name(), "sum(" + q + ")::text"));
      }
      if (col.isFloat()) {
        out.add(new Aggregate("fsum", col.name(), "sum(" + q + "::float8)::text"));
        out.add(new Aggregate("fabs", col.name(), "sum(abs(" + q + "::float8))::text"));
      }
    }
    return new Summary(out);
  }

  /** How many statements {@link #run} sends (one unless past {@link #MAX_EXPRESSIONS}). */
  int statements() {
    return (aggregates.size() + MAX_EXPRESSIONS - 1) / MAX_EXPRESSIONS;
  }

  List<Aggregate> aggregates() {
    return aggregates;
  }

  /**
   * Runs the summary over {@code from} (a FROM clause, with its WHERE) on {@code c}: the values in
   * the order of {@link #aggregates()}, as text, NULL where the aggregate is NULL.
   */
  List<String> run(Connection c, String from) throws SQLException {
    return run(c, from, null, null);
  }

  /**
   * A text array the first statement of {@link #run} reads beside the aggregates, so that it costs
   * no round trip of its own: its SQL and parameters.
   */
  record Extra(String sql, Object... args) {}

  /** {@link #run(Connection, String)}, putting {@code extra}'s elements into {@code extraOut}. */
  List<String> run(Connection c, String from, Extra extra, List<String> extraOut)
      throws SQLException {
    List<String> values = new ArrayList<>(aggregates.size());
    for (int i = 0; i < aggregates.size(); i += MAX_EXPRESSIONS) {
      List<Aggregate> batch =
          aggregates.subList(i, Math.min(aggregates.size(), i + MAX_EXPRESSIONS));
      StringBuilder sql = new StringBuilder("SELECT ").append(selectList(batch));
      boolean withExtra = extra != null && i == 0;
      if (withExtra) {
        sql.append(",\n").append(extra.sql()).append("\n");
      }
      sql.append(" FROM ").append(from);
      if (withExtra) {
        Jdbc.log(sql.toString(), extra.args());
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
          for (int a = 0; a < extra.args().length; a++) {
            ps.setObject(a + 1, extra.args()[a]);
          }
          try (ResultSet rs = ps.executeQuery()) {
            read(rs, batch.size(), values);
            java.sql.Array array = rs.getArray(batch.size() + 1);
            if (array != null) {
              extraOut.addAll(List.of((String[]) array.getArray()));
            }
          }
        }
        continue;
      }
      Jdbc.log(sql.toString());
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql.toString())) {
        read(rs, batch.size(), values);
      }
    }
    return values;
  }

  /**
   * The summary of each of {@code froms} (as for {@link #run}), in one statement of UNION ALL: on
   * small chunks most of a summary's cost is its statement's, not its rows'. Only for a summary of
   * one statement ({@link #statements}).
   */
  List<List<String>> runEach(Connection c, List<String> froms) throws SQLException {
    if (statements() != 1) {
      throw new IllegalStateException("a summary of several statements runs per chunk");
    }
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < froms.size(); i++) {
      sql.append(i == 0 ? "" : "\nUNION ALL\n")
          .append("SELECT ")
          .append(i)
          .append(", ")
          .append(selectList(aggregates))
          .append(" FROM ")
          .append(froms.get(i));
    }
    Jdbc.log(sql.toString());
    List<List<String>> out = new ArrayList<>(froms.size());
    for (int i = 0; i < froms.size(); i++) {
      out.add(null);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.toString())) {
      while (rs.next()) {
        List<String> values = new ArrayList<>(aggregates.size());
        for (int j = 2; j <= aggregates.size() + 1; j++) {
          values.add(rs.getString(j));
        }
        out.set(rs.getInt(1), values);
      }
    }
    return out;
  }

  private static String selectList(List<Aggregate> aggregates) {
    return aggregates.stream().map(Aggregate::sql).collect(Collectors.joining(", "));
  }

  private static void read(ResultSet rs, int columns, List<String> values) throws SQLException {
    rs.next();
    for (int j = 1; j <= columns; j++) {
      values.add(rs.getString(j));
    }
  }

  /** The values by label, for messages. */
  Map<String, String> byLabel(List<String> values) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < aggregates.size(); i++) {
      m.put(aggregates.get(i).label(), values.get(i));
    }
    return m;
  }
}
