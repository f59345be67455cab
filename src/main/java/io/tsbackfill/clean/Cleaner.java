package io.tsbackfill.clean;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.jobs.JobResumer;
import io.tsbackfill.jobs.ScheduledJob;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code clean} engine: drops the {@code __backfill} schema from the target, first resuming the
 * jobs {@code stage --pause-jobs} paused when asked to. Never touches the source, migrated rows or
 * chunks. Idempotent: without the schema it reports that there was nothing to remove.
 */
public final class Cleaner {
  private final ConnectionSpec target;
  private final boolean resumeJobs;

  /**
   * What clean did: whether the schema existed and was dropped, the jobs it resumed, and the jobs
   * stage had paused that stay paused (recorded no more once the schema is gone).
   */
  public record Result(
      boolean removed, List<JobResumer.Resumed> resumed, List<ScheduledJob> leftPaused) {}

  public Cleaner(ConnectionSpec target) {
    this(target, false);
  }

  public Cleaner(ConnectionSpec target, boolean resumeJobs) {
    this.target = target;
    this.resumeJobs = resumeJobs;
  }

  /** True when the schema existed and was dropped. */
  public boolean run() {
    return clean().removed();
  }

  public Result clean() {
    try (Database db = Database.open(target, 1);
        Connection t = db.connect()) {
      try {
        if (!TaskStore.schemaExists(t)) {
          return new Result(false, List.of(), List.of());
        }
        List<JobResumer.Resumed> resumed = resumeJobs ? JobResumer.resume(t) : List.of();
        List<ScheduledJob> leftPaused = resumeJobs ? List.of() : stillPaused(t);
        Jdbc.execute(t, "DROP SCHEMA IF EXISTS " + TaskStore.SCHEMA + " CASCADE");
        return new Result(true, resumed, leftPaused);
      } catch (SQLException e) {
        throw db.error("dropping the __backfill schema", e);
      }
    } catch (SQLException e) {
      throw io.tsbackfill.db.BackfillException.internal("closing the connection", e);
    }
  }

  /** The recorded jobs stage paused that are still paused. */
  private static List<ScheduledJob> stillPaused(Connection t) throws SQLException {
    if (!Jdbc.queryOne(t, Sql.load("jobs/paused-table-exists"), rs -> rs.getBoolean(1))
        .orElse(false)) {
      return List.of();
    }
    t.setAutoCommit(false);
    try {
      return Jdbc.query(
              t,
              Sql.load("jobs/paused"),
              rs ->
                  rs.getBoolean(6) && !rs.getBoolean(7)
                      ? new ScheduledJob(
                          rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4))
                      : null)
          .stream()
          .filter(j -> j != null)
          .toList();
    } finally {
      t.rollback();
      t.setAutoCommit(true);
    }
  }
}
