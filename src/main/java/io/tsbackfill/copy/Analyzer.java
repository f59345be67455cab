package io.tsbackfill.copy;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.work.TaskEngine;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ANALYZEs copied chunks on the target, one at a time, on a connection of its own, each as soon as
 * its copy has committed: the statistics come while the next chunks copy, instead of every chunk's
 * transaction waiting for its own ANALYZE (a sizeable share of a chunk's copy time, see
 * docs/performance.md). A run ends only when every committed chunk is analysed, except on an
 * immediate stop; a chunk left out (the tool killed in between, the connection lost) is still
 * analysed by autovacuum later, as any table that received rows.
 */
final class Analyzer {
  private static final Logger LOG = LoggerFactory.getLogger(Analyzer.class);

  /**
   * What to ANALYZE after a chunk's commit: its target chunk, by name or looked up on the
   * analyzer's own connection (empty: there is none to analyse).
   */
  @FunctionalInterface
  interface Target {
    Optional<String> chunk(Connection t) throws SQLException;

    /** The chunk {@code qname}. */
    static Target of(String qname) {
      return t -> Optional.of(qname);
    }
  }

  private static final Target DONE = t -> Optional.empty();

  private final ConnectionSpec target;
  private final LinkedBlockingQueue<Target> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean failed;

  Analyzer(ConnectionSpec target) {
    this.target = target;
    this.thread = new Thread(this::run, "copy-analyzer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a committed chunk for ANALYZE. */
  void analyze(Target chunk) {
    if (!failed) {
      queue.add(chunk);
    }
  }

  /**
   * Waits until every queued chunk is analysed, or until {@code stopNow} says to stop waiting (an
   * immediate stop): then the chunks still queued are dropped, left to autovacuum, and the thread
   * ends after the ANALYZE in progress, closing its connection.
   */
  void finish(BooleanSupplier stopNow) {
    queue.add(DONE);
    try {
      while (thread.isAlive()) {
        if (stopNow.getAsBoolean()) {
          queue.clear();
          queue.add(DONE);
          return;
        }
        thread.join(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    Target chunk = null;
    for (int lost = 0; lost < 3; lost++) {
      try (Database db = Database.open(target, 1);
          Connection t = db.connect()) {
        t.setAutoCommit(true);
        while (true) {
          if (chunk == null) {
            chunk = queue.take();
          }
          if (chunk == DONE) {
            return;
          }
          String name = null;
          try {
            name = chunk.chunk(t).orElse(null);
            if (name != null) {
              Jdbc.execute(t, "ANALYZE " + name);
            }
          } catch (SQLException e) {
            if (t.isClosed() || !t.isValid(5)) {
              throw e; // the connection is gone: reconnect and analyse this chunk again
            }
            LOG.warn("could not ANALYZE {}: {}", name, TaskEngine.describe(e));
          }
          chunk = null;
          lost = 0;
        }
      } catch (SQLException | RuntimeException e) {
        LOG.debug("ANALYZE connection lost: {}", TaskEngine.describe(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    failed = true;
    LOG.warn(
        "could not ANALYZE the copied chunks (connection lost three times); autovacuum will"
            + " analyse the {} left",
        queue.size() + 1);
    queue.clear();
  }
}
