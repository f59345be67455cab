package io.tsbackfill.requeue;

import io.tsbackfill.catalog.RegexFilter;
import io.tsbackfill.config.RequeueConfig;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code requeue} engine: puts chosen tasks back to pending as if never copied (their copy and
 * verify records cleared), so that the next copy copies them and the next verify checks them,
 * without a clean and a new stage that would copy everything again. Tasks a running copy or verify
 * holds are left alone and counted. Touches only the target's task list.
 */
public final class Requeuer {
  private final RequeueConfig config;

  /**
   * What requeue did: tasks requeued, of them those that had failed to copy or failed verification,
   * and tasks it selected but left because a run holds them.
   */
  public record Result(long requeued, long copyFailed, long verifyFailed, long inFlight) {}

  public Requeuer(RequeueConfig config) {
    this.config = config;
  }

  public Result run() {
    try (Database db = Database.open(config.target(), 1);
        Connection t = db.connect()) {
      try {
        if (!TaskStore.schemaExists(t)) {
          throw BackfillException.badState(
              "the target has no __backfill schema: nothing is staged, so nothing can be"
                  + " requeued");
        }
        TaskStore.upgrade(t);
        RegexFilter.validate(t, config.filter());
        if (config.filter() != null && matching(t) == 0) {
          throw BackfillException.badState(
              "--filter '" + config.filter() + "' matches no staged chunk; staged: " + staged(t));
        }
        return Jdbc.queryOne(
                t,
                Sql.load("task/requeue"),
                rs ->
                    new Result(
                        rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4) - rs.getLong(1)),
                config.copyFailed(),
                config.verifyFailed(),
                config.filter())
            .orElseThrow();
      } catch (SQLException e) {
        throw db.error("requeueing tasks", e);
      }
    } catch (SQLException e) {
      throw BackfillException.internal("closing the connection", e);
    }
  }

  private long matching(Connection t) throws SQLException {
    return Jdbc.queryOne(t, Sql.load("task/requeue-matching"), rs -> rs.getLong(1), config.filter())
        .orElse(0L);
  }

  /** The staged hypertables with their chunk counts, for a filter that matched nothing. */
  private static String staged(Connection t) throws SQLException {
    List<String> hypertables =
        Jdbc.query(
            t,
            Sql.load("task/staged-hypertables"),
            rs -> rs.getString(1) + " (" + rs.getLong(2) + " chunks)");
    return hypertables.isEmpty() ? "nothing" : String.join(", ", hypertables);
  }
}
