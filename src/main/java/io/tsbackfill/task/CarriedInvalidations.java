package io.tsbackfill.task;

import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * {@code __backfill.cagg_invalidation}: the source's pending continuous-aggregate invalidations
 * that copy carried with each materialization chunk, kept on the target until refresh-caggs has
 * refreshed them. Created by the first copy that needs it (a task list staged before it existed
 * gains it then), dropped with the schema by clean.
 */
public final class CarriedInvalidations {
  /** One carried range: which source log it came from, and its inclusive internal bounds. */
  public record Range(String sourceLog, String sourceObject, long lowest, long greatest) {}

  /**
   * A distinct carried range not yet refreshed (the rows of every chunk that carried it), with the
   * staged time range of its hypertable.
   */
  public record Pending(List<Long> ids, Range range, long stagedStart, long stagedEnd) {}

  private CarriedInvalidations() {}

  /**
   * Creates the table unless it exists, in a transaction of its own serialized with stage (two copy
   * processes starting together would otherwise race on CREATE TABLE IF NOT EXISTS).
   */
  public static void ensureTable(Connection t) throws SQLException {
    if (Jdbc.queryOne(t, Sql.load("task/cagg-invalidation-exists"), rs -> rs.getBoolean(1))
        .orElse(false)) {
      return;
    }
    boolean auto = t.getAutoCommit();
    t.setAutoCommit(false);
    try {
      Jdbc.queryOne(t, "SELECT pg_advisory_xact_lock(hashtext('__backfill.stage'))", rs -> 1);
      Jdbc.execute(t, Sql.load("task/create-cagg-invalidation"));
      t.commit();
    } catch (SQLException e) {
      t.rollback();
      throw e;
    } finally {
      t.setAutoCommit(auto);
    }
  }

  public static boolean exists(Connection t) throws SQLException {
    return Jdbc.queryOne(t, Sql.load("task/cagg-invalidation-exists"), rs -> rs.getBoolean(1))
        .orElse(false);
  }

  /**
   * Replaces what task {@code task} carried with {@code ranges}, in the caller's transaction (the
   * chunk's copy transaction, so the ranges and the copied rows commit together).
   */
  public static void replace(Connection t, Task task, List<Range> ranges) throws SQLException {
    Jdbc.update(t, Sql.load("task/forget-carried"), task.priority());
    if (ranges.isEmpty()) {
      return;
    }
    String sql = Sql.load("task/carry-invalidation");
    Jdbc.log(sql, task.priority(), ranges.size() + " ranges");
    try (PreparedStatement ps = t.prepareStatement(sql)) {
      for (Range r : ranges) {
        ps.setLong(1, task.priority());
        ps.setString(2, task.targetHypertableSchema());
        ps.setString(3, task.targetHypertableName());
        ps.setString(4, r.sourceLog());
        ps.setString(5, r.sourceObject());
        ps.setLong(6, r.lowest());
        ps.setLong(7, r.greatest());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The carried ranges of target materialization hypertable schema.table not refreshed yet. */
  public static List<Pending> toRefresh(Connection t, String schema, String table)
      throws SQLException {
    return Jdbc.query(
        t,
        Sql.load("task/carried-to-refresh"),
        rs ->
            new Pending(
                List.of((Long[]) rs.getArray(1).getArray()),
                new Range(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)),
                rs.getLong(6),
                rs.getLong(7)),
        schema,
        table,
        schema,
        table);
  }

  public static void markRefreshed(Connection t, Collection<Long> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    Jdbc.update(
        t, Sql.load("task/mark-carried-refreshed"), t.createArrayOf("bigint", ids.toArray()));
  }
}
