package io.tsbackfill.testbed;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * The hot standby of the local test bed's source ({@code bf_standby}, made by {@code
 * scripts/testbed/servers.sh} with {@code pg_basebackup -R}): every database of the source,
 * read-only, as far as the standby has replayed. Tests wait on its state rather than sleep, and
 * pause and resume its replay to make it lag.
 */
public final class Standby {
  private static final Duration LIMIT = Duration.ofSeconds(60);
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
      if (!"t".equals(text(c, "SELECT pg_is_in_recovery()"))) {
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

  /** Waits until the standby has replayed everything the source had written when called. */
  public void awaitReplayed() {
    String lsn;
    try (Connection p = primary.connect("postgres")) {
      lsn = text(p, "SELECT pg_current_wal_lsn()");
    } catch (SQLException e) {
      throw new IllegalStateException("reading the source's WAL position", e);
    }
    await("replayed up to " + lsn, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn");
  }

  /** Pauses replay and waits until the standby says it is paused. */
  public void pauseReplay() {
    run("SELECT pg_wal_replay_pause()");
    await("replay paused", "SELECT pg_get_wal_replay_pause_state() = 'paused'");
  }

  /** Resumes replay (a no-op when it runs). */
  public void resumeReplay() {
    run("SELECT pg_wal_replay_resume()");
  }

  /**
   * Sets a parameter of the standby ({@code ALTER SYSTEM}, reload; {@code null}: back to the
   * default) and waits until new sessions see it.
   */
  public void set(String parameter, String value) {
    run(
        value == null
            ? "ALTER SYSTEM RESET " + parameter
            : "ALTER SYSTEM SET " + parameter + " = '" + value + "'");
    run("SELECT pg_reload_conf()");
    await(
        parameter + " = " + value,
        "SELECT setting = "
            + (value == null ? "boot_val" : "'" + value + "'")
            + " FROM pg_settings WHERE name = '"
            + parameter
            + "'");
  }

  /**
   * Waits for a session of the tool on the standby's copy of {@code db} in {@code state} (as {@code
   * pg_stat_activity} says it) and returns its pid.
   */
  public int awaitToolSession(TestDb db, String state) {
    String where =
        " FROM pg_stat_activity WHERE datname = '"
            + db.name()
            + "' AND application_name = '"
            + ToolBackends.APPLICATION
            + "' AND state = '"
            + state
            + "'";
    await("a session of the tool " + state, "SELECT EXISTS (SELECT 1" + where + ")");
    return Integer.parseInt(value("SELECT min(pid)" + where).orElseThrow());
  }

  /** Waits until the session {@code pid} of the standby has ended. */
  public void awaitGone(int pid) {
    await(
        "session " + pid + " ended",
        "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = " + pid + ")");
  }

  /** Polls {@code condition} (a boolean query) on the standby until true, for a minute at most. */
  private void await(String what, String condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!"t".equals(value(condition).orElse(""))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the standby is not "
                + what
                + " within "
                + LIMIT
                + " (replay paused: "
                + value("SELECT pg_is_wal_replay_paused()").orElse("?")
                + ")");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private Optional<String> value(String sql) {
    try (Connection c = server.connect("postgres")) {
      return Optional.ofNullable(text(c, sql));
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on the standby", e);
    }
  }

  private void run(String sql) {
    try (Connection c = server.connect("postgres");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on the standby", e);
    }
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
