package io.tsbackfill.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small JDBC helpers so engines read as SQL plus mapping. Every statement is logged on the {@code
 * io.tsbackfill.sql} logger at DEBUG (shown with {@code -vv}).
 */
public final class Jdbc {
  private static final Logger SQL = LoggerFactory.getLogger("io.tsbackfill.sql");

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private Jdbc() {}

  public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args)
      throws SQLException {
    log(sql, args);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  public static <T> Optional<T> queryOne(
      Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    List<T> rows = query(c, sql, mapper, args);
    if (rows.size() > 1) {
      throw new SQLException("expected at most one row, got " + rows.size() + " from: " + sql);
    }
    return rows.stream().findFirst();
  }

  public static int update(Connection c, String sql, Object... args) throws SQLException {
    log(sql, args);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  /**
   * Runs the statements (without parameters) in one round trip: one string, which the driver sends
   * with a single Sync; the server stops at the first that fails. None: nothing is sent.
   */
  public static void executeAll(Connection c, List<String> statements) throws SQLException {
    if (!statements.isEmpty()) {
      execute(c, String.join(";\n", statements));
    }
  }

  /** A query, how to map its rows, and its arguments: one of several sent together. */
  public record Query<T>(String sql, RowMapper<T> mapper, Object... args) {}

  /**
   * Runs the queries in one round trip (one string, which the driver sends with a single Sync; the
   * server stops at the first that fails) and answers each one's rows, in order.
   */
  public static List<List<?>> queryAll(Connection c, List<Query<?>> queries) throws SQLException {
    StringBuilder sql = new StringBuilder();
    List<Object> args = new ArrayList<>();
    for (Query<?> q : queries) {
      sql.append(sql.length() == 0 ? "" : ";\n").append(q.sql().strip());
      args.addAll(List.of(q.args()));
    }
    log(sql.toString(), args.toArray());
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(ps, args.toArray());
      boolean hasResult = ps.execute();
      List<List<?>> out = new ArrayList<>();
      for (Query<?> q : queries) {
        if (!hasResult) {
          throw new SQLException("no result for query " + (out.size() + 1) + " of: " + sql);
        }
        List<Object> rows = new ArrayList<>();
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            rows.add(q.mapper().map(rs));
          }
        }
        out.add(rows);
        hasResult = ps.getMoreResults();
      }
      return out;
    }
  }

  /** Runs a statement without parameters through the simple protocol (DDL, SET, ANALYZE...). */
  public static void execute(Connection c, String sql) throws SQLException {
    log(sql);
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** A statement and its arguments, to run later (see {@link #updateAndCommit}). */
  public record Update(String sql, Object... args) {}

  /**
   * Runs {@code update} and commits the open transaction of {@code c} in one round trip: both go
   * out as one multi-statement string, which the driver sends with a single Sync. When the update
   * fails the server skips the COMMIT (it ignores everything up to the Sync after an error), the
   * transaction is left failed and the caller rolls it back: a failed update never commits.
   */
  public static void updateAndCommit(Connection c, Update update) throws SQLException {
    String sql = update.sql().strip() + ";\nCOMMIT";
    log(sql, update.args());
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, update.args());
      ps.execute();
    }
  }

  public static void log(String sql, Object... args) {
    if (SQL.isDebugEnabled()) {
      String oneLine = sql.strip().replaceAll("\\s+", " ");
      if (args.length == 0) {
        SQL.debug("{}", oneLine);
      } else {
        SQL.debug("{} -- {}", oneLine, java.util.Arrays.toString(args));
      }
    }
  }

  private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }
}
