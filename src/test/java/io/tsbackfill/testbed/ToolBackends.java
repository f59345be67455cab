package io.tsbackfill.testbed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The tool's server sessions in one test database, found the way an operator would: by {@code
 * application_name = 'timescaledb-backfill'} in {@code pg_stat_activity}. Only sessions of that
 * database are ever listed or terminated, so shared servers are safe.
 */
public final class ToolBackends {
  public static final String APPLICATION = "timescaledb-backfill";

  /** One session: what it runs and what it waits for. */
  public record Backend(
      int pid, String state, String waitEventType, String waitEvent, String query) {
    public boolean inCopy() {
      return query != null && query.startsWith("COPY") && "active".equals(state);
    }

    public boolean waitsForAdvisoryLock() {
      return "Lock".equals(waitEventType) && "advisory".equals(waitEvent);
    }
  }

  private ToolBackends() {}

  public static List<Backend> of(TestDb db) {
    try (Connection c = db.server().connect("postgres");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pid, state, wait_event_type, wait_event, query FROM pg_stat_activity"
                    + " WHERE datname = ? AND application_name = ? AND pid <> pg_backend_pid()"
                    + " ORDER BY pid")) {
      ps.setString(1, db.name());
      ps.setString(2, APPLICATION);
      List<Backend> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Backend(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("listing the tool's sessions on " + db.name(), e);
    }
  }

  /** Waits for a session of the tool that matches; empty after {@code timeout}. */
  public static Optional<Backend> await(TestDb db, Predicate<Backend> which, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      for (Backend b : of(db)) {
        if (which.test(b)) {
          return Optional.of(b);
        }
      }
      sleep(25);
    } while (System.nanoTime() < end);
    return Optional.empty();
  }

  /**
   * A chunk a worker holds, as {@code status} finds it: the task's advisory lock in {@code
   * pg_locks} ({@code kind} {@link io.tsbackfill.task.TaskStore#COPY_LOCK} or {@code VERIFY_LOCK}),
   * with what the worker's target session runs now.
   */
  public record InFlight(String chunk, int pid, String state, String query) {
    /** Whether the worker's target session is in its COPY into the chunk's destination. */
    public boolean inCopy() {
      return query != null && query.startsWith("COPY") && "active".equals(state);
    }
  }

  /** The chunks the tool's workers hold in {@code target}'s task table now. */
  public static List<InFlight> inFlight(TestDb target, int kind) {
    try (Connection c = target.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT t.chunk_schema || '.' || t.chunk_name, a.pid, a.state, a.query"
                    + " FROM pg_locks l JOIN __backfill.task t ON t.priority = l.objid::bigint"
                    + " JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted"
                    + " AND l.database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database())"
                    + " AND l.classid::bigint = ? ORDER BY t.priority")) {
      ps.setLong(1, kind);
      List<InFlight> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new InFlight(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("listing the chunks in flight on " + target.name(), e);
    }
  }

  /** Waits for a chunk in flight that matches; empty after {@code timeout}. */
  public static Optional<InFlight> awaitInFlight(
      TestDb target, int kind, Predicate<InFlight> which, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      if (target.count("SELECT count(*) FROM pg_namespace WHERE nspname = '__backfill'") > 0) {
        for (InFlight f : inFlight(target, kind)) {
          if (which.test(f)) {
            return Optional.of(f);
          }
        }
      }
      sleep(25);
    } while (System.nanoTime() < end);
    return Optional.empty();
  }

  /** {@code pg_terminate_backend} of one of the tool's sessions in this database. */
  public static boolean terminate(TestDb db, int pid) {
    try (Connection c = db.server().connect("postgres");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE pid = ? AND datname = ? AND application_name = ?")) {
      ps.setInt(1, pid);
      ps.setString(2, db.name());
      ps.setString(3, APPLICATION);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("terminating session " + pid + " on " + db.name(), e);
    }
  }

  /** Waits until the session {@code pid} is gone; false after {@code timeout}. */
  public static boolean awaitGone(TestDb db, int pid, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      if (of(db).stream().noneMatch(b -> b.pid() == pid)) {
        return true;
      }
      sleep(25);
    } while (System.nanoTime() < end);
    return false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
