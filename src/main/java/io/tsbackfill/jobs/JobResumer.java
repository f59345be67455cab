package io.tsbackfill.jobs;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code resume-jobs} engine (also run by {@code clean --resume-jobs}): re-enables the jobs
 * that {@code stage --pause-jobs} recorded in {@code __backfill.paused_job}, and only those, in one
 * target transaction, and forgets them. Jobs the user paused himself were never recorded, so they
 * stay paused. A recorded job that no longer exists is reported and forgotten.
 */
public final class JobResumer {
  /** One recorded job and what became of it. */
  public record Resumed(ScheduledJob job, Outcome outcome) {}

  public enum Outcome {
    /** scheduled again */
    RESUMED,
    /** someone scheduled it again already; left as it is */
    ALREADY_SCHEDULED,
    /** deleted since it was paused */
    GONE
  }

  private JobResumer() {}

  /** Resumes the recorded jobs using the caller's connection (autocommit on). */
  public static List<Resumed> resume(Connection t) throws SQLException {
    if (!TaskStore.schemaExists(t)
        || !Jdbc.queryOne(t, Sql.load("jobs/paused-table-exists"), rs -> rs.getBoolean(1))
            .orElse(false)) {
      return List.of();
    }
    String resume = Catalog.inspect(t, Side.TARGET).layout().sql("jobs/resume");
    t.setAutoCommit(false);
    try {
      record Row(ScheduledJob job, boolean exists, boolean scheduled) {}
      List<Row> rows =
          Jdbc.query(
              t,
              Sql.load("jobs/paused"),
              rs ->
                  new Row(
                      new ScheduledJob(
                          rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                      rs.getBoolean(6),
                      rs.getBoolean(7)));
      List<Resumed> out = new ArrayList<>();
      for (Row r : rows) {
        Outcome o;
        if (!r.exists()) {
          o = Outcome.GONE;
        } else if (r.scheduled()) {
          o = Outcome.ALREADY_SCHEDULED;
        } else {
          Jdbc.query(t, resume, rs -> rs.getInt(1), r.job().id());
          o = Outcome.RESUMED;
        }
        Jdbc.update(t, Sql.load("jobs/forget-paused"), r.job().id());
        out.add(new Resumed(r.job(), o));
      }
      t.commit();
      return out;
    } catch (SQLException | RuntimeException e) {
      t.rollback();
      throw e;
    } finally {
      t.setAutoCommit(true);
    }
  }

  /** Opens the target and resumes; fails with exit 3 when nothing was ever staged there. */
  public static List<Resumed> resume(io.tsbackfill.db.ConnectionSpec target) {
    try (Database db = Database.open(target, 1);
        Connection t = db.connect()) {
      try {
        if (!TaskStore.schemaExists(t)) {
          throw BackfillException.badState(
              "the target has no __backfill schema: no jobs were paused by stage (or clean has"
                  + " removed the record)");
        }
        return resume(t);
      } catch (SQLException e) {
        throw db.error("resuming the paused jobs", e);
      }
    } catch (SQLException e) {
      throw BackfillException.internal("closing the connection", e);
    }
  }
}
