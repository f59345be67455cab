package io.tsbackfill.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server sessions the tool left behind. When a connection breaks on the client's side (a network
 * cut, a proxy reset), its server session may live on for hours, until TCP keepalive gives up,
 * still holding its transaction: the task's row lock, the chunk's locks, the source snapshot. A
 * retry of the same chunk would then skip it as "taken by another worker". So each new connection
 * remembers its session's identity (process id and start time, which no later session shares), and
 * a retry ends the failed attempt's sessions, if they still exist, before it claims again.
 */
public final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  private static final Duration WAIT_FOR_END = Duration.ofSeconds(10);

  /** One server session: its backend process id and {@code backend_start}. */
  public record Session(Side side, int pid, String backendStart) {}

  private Sessions() {}

  /** The session of {@code c}, or null when the server does not tell (the caller goes on). */
  public static Session identify(Side side, Connection c) {
    try {
      return Jdbc.queryOne(
              c,
              "SELECT pid, backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()",
              rs -> new Session(side, rs.getInt(1), rs.getString(2)))
          .filter(s -> s.backendStart() != null)
          .orElse(null);
    } catch (SQLException e) {
      LOG.debug("cannot identify the {} session: {}", side.label(), e.getMessage());
      return null;
    }
  }

  /**
   * Ends {@code old} through the healthy connection {@code via} (autocommit, same server) if the
   * session still exists, and waits up to 10 s for it to go. Best effort: errors are logged, the
   * retry goes on either way. A role may always end its own sessions.
   */
  public static void end(Connection via, Session old) {
    String match =
        " FROM pg_stat_activity WHERE pid = ? AND backend_start = ?::timestamptz"
            + " AND pid <> pg_backend_pid()";
    try {
      boolean ended =
          Jdbc.queryOne(
                  via,
                  "SELECT pg_terminate_backend(pid)" + match,
                  rs -> rs.getBoolean(1),
                  old.pid(),
                  old.backendStart())
              .orElse(false);
      if (!ended) {
        return;
      }
      LOG.info(
          "ended the {} session {} left over from the failed attempt (its connection broke on"
              + " this side only)",
          old.side().label(),
          old.pid());
      long end = System.nanoTime() + WAIT_FOR_END.toNanos();
      while (System.nanoTime() < end) {
        if (Jdbc.queryOne(via, "SELECT 1" + match, rs -> 1, old.pid(), old.backendStart())
            .isEmpty()) {
          return;
        }
        Thread.sleep(50);
      }
      LOG.warn("the {} session {} has not ended yet", old.side().label(), old.pid());
    } catch (SQLException e) {
      LOG.debug("cannot end the {} session {}: {}", old.side().label(), old.pid(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
