package io.tsbackfill.clean;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.jobs.JobResumer;
import io.tsbackfill.jobs.ScheduledJob;
import io.tsbackfill.task.TaskStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code clean} engine: drops the {@code __backfill} schema from the target, first resuming the
 * jobs {@code stage --pause-jobs} paused when asked to. Never touches the source, migrated rows or
 * chunks. Idempotent: without the schema it reports that there was nothing to remove. The task list
 * is the only record of what is unfinished, so clean refuses while chunks are pending, failed to
 * copy or failed verification (unless forced), and can write it to a file first.
 */
public final class Cleaner {
  private final ConnectionSpec target;
  private final boolean resumeJobs;
  private final boolean force;
  private final Path report;

  /** The tasks clean found, by state. */
  public record Counts(
      long pending, long copyFailed, long verifyFailed, long unverified, long all) {
    static final Counts NONE = new Counts(0, 0, 0, 0, 0);

    /** Tasks whose record clean must not throw away unasked. */
    public long unfinished() {
      return pending + copyFailed + verifyFailed;
    }
  }

  /**
   * What clean did: whether the schema existed and was dropped, the jobs it resumed, the jobs stage
   * had paused that stay paused (recorded no more once the schema is gone), the tasks it found, and
   * how many it wrote to the report file (-1: none written).
   */
  public record Result(
      boolean removed,
      List<JobResumer.Resumed> resumed,
      List<ScheduledJob> leftPaused,
      Counts counts,
      int reported) {}

  /**
   * A clean that drops even unfinished tasks when {@code force}, and first writes the task list to
   * {@code report} (CSV or JSON by its extension) unless that is null.
   */
  public Cleaner(ConnectionSpec target, boolean resumeJobs, boolean force, Path report) {
    if (report != null && TaskReport.formatOf(report) == null) {
      throw BackfillException.usage(
          "--report " + report + ": the file name must end in .csv or .json");
    }
    this.target = target;
    this.resumeJobs = resumeJobs;
    this.force = force;
    this.report = report;
  }

  public Result clean() {
    try (Database db = Database.open(target, 1);
        Connection t = db.connect()) {
      try {
        if (!TaskStore.schemaExists(t)) {
          return new Result(false, List.of(), List.of(), Counts.NONE, -1);
        }
        Counts counts = counts(t);
        if (counts.unfinished() > 0 && !force) {
          throw BackfillException.badState(
              "clean would drop the only record of unfinished chunks: "
                  + counts.pending()
                  + " pending, "
                  + counts.copyFailed()
                  + " failed to copy, "
                  + counts.verifyFailed()
                  + " failed verification. Finish them (copy; requeue --verify-failed, copy,"
                  + " verify), or clean --force to drop them (--report FILE keeps the list)");
        }
        int reported = -1;
        if (report != null) {
          try {
            reported = TaskReport.write(t, report);
          } catch (java.io.IOException e) {
            throw BackfillException.badState(
                "cannot write the task list to "
                    + report
                    + " ("
                    + e.getMessage()
                    + "); nothing was dropped");
          }
        }
        List<JobResumer.Resumed> resumed = resumeJobs ? JobResumer.resume(t) : List.of();
        List<ScheduledJob> leftPaused = resumeJobs ? List.of() : stillPaused(t);
        Jdbc.execute(t, "DROP SCHEMA IF EXISTS " + TaskStore.SCHEMA + " CASCADE");
        return new Result(true, resumed, leftPaused, counts, reported);
      } catch (SQLException e) {
        throw db.error("dropping the __backfill schema", e);
      }
    } catch (SQLException e) {
      throw io.tsbackfill.error.BackfillException.internal("closing the connection", e);
    }
  }

  private static Counts counts(Connection t) throws SQLException {
    return Jdbc.queryOne(
            t,
            Sql.load("task/clean-counts"),
            rs ->
                new Counts(
                    rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
        .orElse(Counts.NONE);
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
