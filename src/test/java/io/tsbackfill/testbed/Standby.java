package io.tsbackfill.testbed;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The hot standby of the local test bed's source ({@code bf_standby}, made by {@code
 * scripts/testbed/servers.sh} with {@code pg_basebackup -R}): every database of the source,
 * read-only, as far as the standby has replayed. Tests wait on its replay ({@link #awaitReplayed})
 * rather than sleep, and pause and resume it to make it lag.
 */
public final class Standby {
  private static final Duration REPLAY_LIMIT = Duration.ofSeconds(60);
  private final TestServer primary;
  private final TestServer server;

  Standby(TestServer primary, TestServer server) {
    this.primary = primary;
    this.server = server;
  }

  public TestServer server() {
    return server;
  }

  /** The connection string of {@code db}'s copy on the standby. */
  public String uri(TestDb db) {
    return server.uri(db.name());
  }

  void check() {
    try (Connection c = server.connect("postgres")) {
      if (!bool(c, "SELECT pg_is_in_recovery()")) {
        throw new IllegalStateException(
            "the test standby at " + server.host() + ":" + server.port() + " is not in recovery");
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the test standby at "
              + server.host()
              + ":"
              + server.port()
              + " is not reachable ("
              + e.getMessage()
              + "); start the test bed with scripts/testbed/servers.sh start",
          e);
    }
  }

  /**
   * Waits until the standby has replayed everything the source had written when this was called
   * (its WAL position then), failing after a minute.
   */
  public void awaitReplayed() {
    String lsn;
    try (Connection p = primary.connect("postgres")) {
      lsn = text(p, "SELECT pg_current_wal_lsn()");
    } catch (SQLException e) {
      throw new IllegalStateException("reading the source's WAL position", e);
    }
    long deadline = System.nanoTime() + REPLAY_LIMIT.toNanos();
    try (Connection c = server.connect("postgres")) {
      while (!bool(c, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "the standby has not replayed up to " + lsn + " within " + REPLAY_LIMIT
                  + " (replay paused: " + bool(c, "SELECT pg_is_wal_replay_paused()") + ")");
        }
        Thread.sleep(50);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the standby's replay position", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Pauses replay and waits until the standby says it is paused. */
  public void pauseReplay() {
    try (Connection c = server.connect("postgres")) {
      exec(c, "SELECT pg_wal_replay_pause()");
      long deadline = System.nanoTime() + REPLAY_LIMIT.toNanos();
      while (!text(c, "SELECT pg_get_wal_replay_pause_state()").equals("paused")) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the standby's replay did not pause within " + REPLAY_LIMIT);
        }
        Thread.sleep(20);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("pausing the standby's replay", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Resumes replay (a no-op when it runs). */
  public void resumeReplay() {
    try (Connection c = server.connect("postgres")) {
      exec(c, "SELECT pg_wal_replay_resume()");
    } catch (SQLException e) {
      throw new IllegalStateException("resuming the standby's replay", e);
    }
  }

  /**
   * Sets a parameter of the standby ({@code ALTER SYSTEM}, reload; {@code null}: back to the
   * default) and waits until new sessions see it.
   */
  public void set(String parameter, String value) {
    try (Connection c = server.connect("postgres")) {
      exec(c, value == null
          ? "ALTER SYSTEM RESET " + parameter
          : "ALTER SYSTEM SET " + parameter + " = '" + value + "'");
      exec(c, "SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IllegalStateException("setting " + parameter + " on the standby", e);
    }
    String expected = value;
    long deadline = System.nanoTime() + REPLAY_LIMIT.toNanos();
    while (true) {
      try (Connection c = server.connect("postgres")) {
        String now = text(c, "SELECT setting FROM pg_settings WHERE name = '" + parameter + "'");
        String boot = text(c, "SELECT boot_val FROM pg_settings WHERE name = '" + parameter + "'");
        if (now.equals(expected == null ? boot : expected)) {
          return;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading " + parameter + " on the standby", e);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(parameter + " on the standby did not become " + value);
      }
      pause(20);
    }
  }

  /**
   * Waits for a session of the tool on the standby's copy of {@code db} in {@code state} (as
   * {@code pg_stat_activity} says it) and returns its pid.
   */
  public int awaitToolSession(TestDb db, String state) {
    long deadline = System.nanoTime() + REPLAY_LIMIT.toNanos();
    while (true) {
      try (Connection c = server.connect("postgres")) {
        String pid =
            text(
                c,
                "SELECT coalesce(min(pid)::text, '') FROM pg_stat_activity WHERE datname = '"
                    + db.name() + "' AND application_name = '" + ToolBackends.APPLICATION
                    + "' AND state = '" + state + "'");
        if (!pid.isEmpty()) {
          return Integer.parseInt(pid);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("listing the tool's sessions on the standby", e);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no session of the tool is " + state + " on the standby");
      }
      pause(20);
    }
  }

  /** Waits until the session {@code pid} of the standby has ended. */
  public void awaitGone(int pid) {
    long deadline = System.nanoTime() + REPLAY_LIMIT.toNanos();
    while (true) {
      try (Connection c = server.connect("postgres")) {
        if (!bool(c, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = " + pid + ")")) {
          return;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("listing the standby's sessions", e);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("session " + pid + " of the standby did not end");
      }
      pause(20);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Runs {@code sql} on the standby's copy of {@code db} and returns the first column of the first row. */
  public String value(TestDb db, String sql) {
    try (Connection c = server.connect(db.name())) {
      return text(c, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on the standby", e);
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static boolean bool(Connection c, String sql) throws SQLException {
    return "t".equals(text(c, sql));
  }
}
