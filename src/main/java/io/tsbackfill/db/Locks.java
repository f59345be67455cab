package io.tsbackfill.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chunk-level DDL (creating a chunk, dropping and re-creating a trigger) under a {@code
 * lock_timeout}, so the tool never queues silently behind a continuous-aggregate refresh or a long
 * transaction, and never stalls the application's writes queued behind its own lock request for
 * long. When the wait lasts, a second short-lived session asks {@code pg_blocking_pids} who blocks,
 * while the statement still waits (afterwards there is no waiter left to ask about); on timeout the
 * error names those sessions: pid, application, state and query.
 *
 * <p>The timeout is the command's {@code --lock-timeout}; zero turns it off.
 */
public final class Locks {
  static final String LOCK_NOT_AVAILABLE = SqlStates.LOCK_NOT_AVAILABLE;
  private static final Logger LOG = LoggerFactory.getLogger(Locks.class);
  private static final ExecutorService OBSERVERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "lock-observer");
            t.setDaemon(true);
            return t;
          });

  private final ConnectionSpec spec;
  private final Duration timeout;

  public Locks(ConnectionSpec spec, Duration timeout) {
    this.spec = spec;
    this.timeout = timeout;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Executes one DDL statement under the lock timeout. */
  public void execute(Connection c, String what, String ddl) throws SQLException {
    run(
        c,
        what,
        () -> {
          Jdbc.execute(c, ddl);
          return null;
        });
  }

  /**
   * Runs {@code ddl} on {@code c} under the lock timeout, restoring the session's own timeout
   * afterwards. On timeout throws {@link LockTimeout} (SQLSTATE 55P03, transient: the caller's
   * transaction is aborted and the caller retries), naming the blocking sessions.
   */
  public <T> T run(Connection c, String what, SideFailure.SqlCall<T> ddl) throws SQLException {
    if (timeout.isZero()) {
      return ddl.call();
    }
    String previous =
        Jdbc.queryOne(
                c,
                "SELECT current_setting('lock_timeout'), set_config('lock_timeout', ?, true)",
                rs -> rs.getString(1),
                timeout.toMillis() + "ms")
            .orElseThrow();
    Future<List<String>> observer = observe(c);
    try {
      T result = ddl.call();
      Jdbc.queryOne(c, "SELECT set_config('lock_timeout', ?, true)", rs -> 1, previous);
      return result;
    } catch (SQLException e) {
      if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        throw e;
      }
      throw new LockTimeout(what, timeout, blockers(observer), e);
    } finally {
      observer.cancel(true);
    }
  }

  /**
   * Runs {@code ddl}, which sets the lock timeout itself around its timed statements (see {@link
   * #timeoutSetting}), where a batch sends untimed and timed statements in one round trip. On
   * timeout throws {@link LockTimeout} as {@link #run} does; the blocking sessions are looked up
   * every half timeout while it runs, so the last look falls inside the wait that timed out,
   * whatever ran before it.
   */
  public <T> T observed(Connection c, String what, SideFailure.SqlCall<T> ddl) throws SQLException {
    if (timeout.isZero()) {
      return ddl.call();
    }
    int pid = c.unwrap(PGConnection.class).getBackendPID();
    long period = Math.max(1, timeout.toMillis() / 2);
    AtomicReference<List<String>> latest = new AtomicReference<>();
    Future<?> observer =
        OBSERVERS.submit(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(period);
                try {
                  latest.set(blockersOf(pid));
                } catch (SQLException e) {
                  latest.set(null);
                  LOG.debug("could not look up the blocking sessions: {}", e.toString());
                }
              }
              return null;
            });
    try {
      return ddl.call();
    } catch (SQLException e) {
      if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        throw e;
      }
      throw new LockTimeout(what, timeout, latest.get(), e);
    } finally {
      observer.cancel(true);
    }
  }

  /**
   * The lock timeout as a {@code set_config} value expression for a batch: a literal, or where it
   * is zero (off) the session's own timeout, read by {@code current_setting}.
   */
  public String timeoutSetting() {
    return timeout.isZero()
        ? "current_setting('lock_timeout')"
        : Ident.literal(timeout.toMillis() + "ms");
  }

  /**
   * Like {@link #run}, but retries in place (up to {@code attempts} in all, with backoff), rolling
   * back to a savepoint after each timeout: for callers whose transaction must survive a lock wait,
   * such as {@code stage}'s single transaction. The last timeout is thrown.
   */
  public <T> T runRetrying(Connection c, String what, int attempts, SideFailure.SqlCall<T> ddl)
      throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
      try {
        T result = run(c, what, ddl);
        if (sp != null) {
          c.releaseSavepoint(sp);
        }
        return result;
      } catch (LockTimeout e) {
        if (sp != null) {
          c.rollback(sp);
        }
        if (attempt >= attempts) {
          throw e;
        }
        long backoff = Math.min(30_000L, 1000L << Math.min(attempt - 1, 5));
        backoff = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        LOG.warn(
            "{}; retrying in {} ms (attempt {} of {})", e.getMessage(), backoff, attempt, attempts);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Looks for the sessions blocking {@code c}'s backend once half the timeout has passed. */
  private Future<List<String>> observe(Connection c) throws SQLException {
    int pid = c.unwrap(PGConnection.class).getBackendPID();
    long delay = Math.max(1, timeout.toMillis() / 2);
    return OBSERVERS.submit(
        () -> {
          Thread.sleep(delay);
          return blockersOf(pid);
        });
  }

  private List<String> blockersOf(int pid) throws SQLException {
    Properties props = spec.jdbcProperties();
    props.setProperty("socketTimeout", "10");
    try (Connection o = DriverManager.getConnection(spec.jdbcUrl(), props);
        PreparedStatement ps =
            o.prepareStatement(
                "SELECT pid, application_name, state,"
                    + " left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
                    + " FROM pg_stat_activity WHERE pid = ANY (pg_blocking_pids(?)) ORDER BY pid")) {
      ps.setInt(1, pid);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              "pid "
                  + rs.getInt(1)
                  + " (application '"
                  + nullToEmpty(rs.getString(2))
                  + "', "
                  + nullToEmpty(rs.getString(3))
                  + ": "
                  + nullToEmpty(rs.getString(4))
                  + ")");
        }
      }
      return out;
    }
  }

  private static List<String> blockers(Future<List<String>> observer) {
    try {
      return observer.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      LOG.debug("could not look up the blocking sessions: {}", e.toString());
      return null;
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** A lock wait that reached the lock timeout, with the sessions that blocked it. */
  public static final class LockTimeout extends SQLException {
    private static final long serialVersionUID = 1L;

    LockTimeout(String what, Duration timeout, List<String> blockers, SQLException cause) {
      super(message(what, timeout, blockers), LOCK_NOT_AVAILABLE, cause);
    }

    private static String message(String what, Duration timeout, List<String> blockers) {
      String by;
      if (blockers == null) {
        by = "the blocking sessions could not be looked up";
      } else if (blockers.isEmpty()) {
        by = "the blocking sessions had ended when looked up";
      } else {
        by = "blocked by " + String.join("; ", blockers);
      }
      return "lock_timeout (" + timeout.toMillis() + " ms) reached waiting to " + what + ": " + by;
    }
  }
}
