package io.tsbackfill.copy;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.catalog.VersionCheck;
import io.tsbackfill.config.CopyConfig;
import io.tsbackfill.db.BackfillException;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SideFailure;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.task.Task;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code copy} engine: a fixed pool of workers, each with one source and one target connection
 * for its lifetime, claiming tasks from {@code __backfill.task} until none is left. Each chunk is
 * one target transaction (claim, delete, COPY, mark done) next to one read-only, serializable
 * source transaction, so a chunk is either wholly copied and marked or not at all.
 */
public final class CopyEngine {
  private static final Logger LOG = LoggerFactory.getLogger(CopyEngine.class);
  private static final long BACKOFF_START_MS = 1000;
  private static final long BACKOFF_MAX_MS = 30_000;

  private final CopyConfig config;
  private final CopyListener listener;
  private final Shutdown shutdown;

  private final AtomicInteger finished = new AtomicInteger();
  private final AtomicInteger copied = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final Set<Long> failedTasks = ConcurrentHashMap.newKeySet();
  private final List<String> failedChunks = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicReference<BackfillException> fatal = new AtomicReference<>();
  private volatile int total;

  public CopyEngine(CopyConfig config, CopyListener listener, Shutdown shutdown) {
    this.config = config;
    this.listener = listener;
    this.shutdown = shutdown;
  }

  public CopyResult run() {
    Instant start = Instant.now();
    int workers = config.parallelism();
    Database source = Database.open(config.source(), Math.max(1, workers));
    Database target = null;
    boolean closePools = true;
    try {
      target = Database.open(config.target(), Math.max(1, workers));
      TimescaleInfo tInfo = prepare(source, target);
      ChunkCopier copier = new ChunkCopier(tInfo);
      List<Thread> threads = new ArrayList<>();
      for (int i = 1; i <= workers; i++) {
        Database s = source;
        Database t = target;
        Thread w = new Thread(() -> work(s, t, copier), "copy-worker-" + i);
        w.setDaemon(true);
        threads.add(w);
      }
      threads.forEach(Thread::start);
      closePools = awaitWorkers(threads);
      return new CopyResult(
          copied.get(),
          skipped.get(),
          rows.get(),
          bytes.get(),
          Duration.between(start, Instant.now()),
          List.copyOf(failedChunks),
          shutdown.isStopping() && fatal.get() == null,
          fatal.get());
    } finally {
      if (closePools) {
        source.close();
        if (target != null) {
          target.close();
        }
      }
    }
  }

  /** Checks versions and the task table, then announces the start; returns the target's info. */
  private TimescaleInfo prepare(Database source, Database target) {
    TimescaleInfo sInfo;
    TimescaleInfo tInfo;
    long[] pending;
    try (Connection s = source.connect()) {
      sInfo = Catalog.inspect(s, Side.SOURCE);
    } catch (SQLException e) {
      throw source.error("reading the TimescaleDB version", e);
    }
    try (Connection t = target.connect()) {
      tInfo = Catalog.inspect(t, Side.TARGET);
      VersionCheck.requireEqual(sInfo, tInfo);
      if (!TaskStore.schemaExists(t)) {
        throw BackfillException.badState(
            "the target has no __backfill schema: run 'timescaledb-backfill stage' before copy");
      }
      pending = TaskStore.countCopyPending(t);
    } catch (SQLException e) {
      throw target.error("reading the task list", e);
    }
    if (pending[0] == 0) {
      throw BackfillException.badState(
          "no copy task is pending: every staged chunk is copied; 'stage' adds tasks");
    }
    total = (int) pending[0];
    listener.onStart(pending[0], pending[1], config.parallelism());
    return tInfo;
  }

  /** Waits for the workers; on an immediate stop returns at once (false: leave pools open). */
  private boolean awaitWorkers(List<Thread> threads) {
    for (Thread w : threads) {
      while (w.isAlive()) {
        if (shutdown.isImmediate()) {
          return false;
        }
        try {
          w.join(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          shutdown.abortNow();
          return false;
        }
      }
    }
    return true;
  }

  private void work(Database source, Database target, ChunkCopier copier) {
    Worker w = new Worker(source, target);
    try {
      while (!shutdown.isStopping()) {
        Optional<Task> task = w.claim(null);
        if (task.isEmpty()) {
          break;
        }
        copyWithRetries(w, copier, task.get());
      }
    } catch (BackfillException e) {
      if (!shutdown.isImmediate() && fatal.compareAndSet(null, e)) {
        shutdown.abortNow();
      }
    } catch (RuntimeException e) {
      if (!shutdown.isImmediate()
          && fatal.compareAndSet(null, BackfillException.internal("copy worker failed: " + e, e))) {
        shutdown.abortNow();
      }
    } finally {
      w.release();
    }
  }

  private void copyWithRetries(Worker w, ChunkCopier copier, Task task) {
    int maxAttempts = config.retries() + 1;
    for (int attempt = 1; ; attempt++) {
      Instant t0 = Instant.now();
      try {
        ChunkCopier.Copied c = copier.copy(task, w.s, w.t);
        String message =
            c.skipped()
                ? "skipped: source chunk " + task.chunkQname() + " no longer exists"
                : "copied " + c.rows() + " rows (" + c.bytes() + " bytes) into " + c.destination()
                    + " (" + c.path() + ")";
        SideFailure.on(
            Side.TARGET,
            () -> {
              TaskStore.markCopied(w.t, task.priority(), message, c.path(), c.rows(), c.bytes());
              return null;
            });
        SideFailure.on(Side.SOURCE, () -> {
          w.s.commit();
          return null;
        });
        SideFailure.on(Side.TARGET, () -> {
          w.t.commit();
          return null;
        });
        int index = finished.incrementAndGet();
        (c.skipped() ? skipped : copied).incrementAndGet();
        rows.addAndGet(c.rows());
        bytes.addAndGet(c.bytes());
        listener.onChunkFinished(
            new ChunkReport(
                index,
                total,
                c.skipped() ? ChunkReport.Outcome.SKIPPED : ChunkReport.Outcome.COPIED,
                task.chunkQname(),
                c.destination(),
                c.path(),
                c.rows(),
                c.bytes(),
                Duration.between(t0, Instant.now()),
                message));
        return;
      } catch (SQLException | RuntimeException e) {
        w.rollback();
        if (shutdown.isImmediate()) {
          return;
        }
        if (e instanceof BackfillException be) {
          throw be;
        }
        Side side = SideFailure.sideOf(e, Side.TARGET);
        String error = describe(e);
        if (!SqlStates.isTransient(e)) {
          throw new BackfillException(
              side.exitCode(),
              "copying chunk " + task.chunkQname() + " failed on the " + side.label()
                  + " database: " + error,
              e);
        }
        w.discard();
        if (attempt >= maxAttempts) {
          recordFailure(w, task, attempt, error, t0);
          return;
        }
        long backoff = backoff(attempt);
        listener.onRetry(task.chunkQname(), attempt, maxAttempts, backoff, error);
        try {
          shutdown.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        if (shutdown.isStopping()) {
          return;
        }
        Optional<Task> again = w.claim(task.priority());
        if (again.isEmpty()) {
          LOG.info("{} was taken or finished by another worker; moving on", task.chunkQname());
          return;
        }
      }
    }
  }

  private void recordFailure(Worker w, Task task, int attempts, String error, Instant t0) {
    String message = "failed after " + attempts + " attempts: " + error;
    failedTasks.add(task.priority());
    failedChunks.add(task.chunkQname());
    try {
      w.connect();
      w.t.setAutoCommit(true);
      TaskStore.markCopyFailed(w.t, task.priority(), message);
    } catch (SQLException | BackfillException e) {
      LOG.warn("could not record the failure of {}: {}", task.chunkQname(), describe(e));
      w.discard();
    }
    listener.onChunkFinished(
        new ChunkReport(
            finished.incrementAndGet(),
            total,
            ChunkReport.Outcome.FAILED,
            task.chunkQname(),
            null,
            null,
            0,
            0,
            Duration.between(t0, Instant.now()),
            message));
  }

  static long backoff(int attempt) {
    long base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS << Math.min(attempt - 1, 16));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  static String describe(Throwable e) {
    String state = SqlStates.of(e);
    Throwable root = e;
    while (root instanceof SideFailure && root.getCause() != null) {
      root = root.getCause();
    }
    String text = root instanceof SQLException sql ? SqlStates.serverMessage(sql) : root.toString();
    return (state == null ? "" : "[" + state + "] ") + text;
  }

  /** One worker's pair of connections, registered for an immediate stop. */
  private final class Worker {
    private final Database source;
    private final Database target;
    Connection s;
    Connection t;
    private Connection sPhysical;
    private Connection tPhysical;

    Worker(Database source, Database target) {
      this.source = source;
      this.target = target;
    }

    /** Begins a target transaction and claims a task: the next one, or {@code priority}. */
    Optional<Task> claim(Long priority) {
      connect();
      try {
        t.setAutoCommit(false);
        s.setAutoCommit(false);
        Optional<Task> task =
            priority == null
                ? TaskStore.claimNextCopyTask(t, failedTasks)
                : TaskStore.claimCopyTaskAgain(t, priority);
        if (task.isEmpty()) {
          t.commit();
        }
        return task;
      } catch (SQLException e) {
        rollback();
        if (shutdown.isImmediate()) {
          return Optional.empty();
        }
        throw target.error("claiming a task", e);
      }
    }

    void connect() {
      if (s == null) {
        s = source.connect();
        sPhysical = physical(s);
        shutdown.register(sPhysical);
      }
      if (t == null) {
        t = target.connect();
        tPhysical = physical(t);
        shutdown.register(tPhysical);
      }
    }

    private Connection physical(Connection c) {
      try {
        return c.unwrap(BaseConnection.class);
      } catch (SQLException e) {
        return c;
      }
    }

    void rollback() {
      for (Connection c : new Connection[] {s, t}) {
        if (c != null) {
          try {
            c.rollback();
          } catch (SQLException ignored) {
            // A broken connection has rolled back on the server already.
          }
        }
      }
    }

    /** Drops both connections after a transient error (either may be broken). */
    void discard() {
      if (s != null) {
        shutdown.unregister(sPhysical);
        source.discard(s);
        s = null;
      }
      if (t != null) {
        shutdown.unregister(tPhysical);
        target.discard(t);
        t = null;
      }
    }

    void release() {
      for (Connection c : new Connection[] {s, t}) {
        if (c != null) {
          try {
            c.rollback();
            c.setAutoCommit(true);
            c.close();
          } catch (SQLException ignored) {
            // Closing a broken connection.
          }
        }
      }
      if (sPhysical != null) {
        shutdown.unregister(sPhysical);
      }
      if (tPhysical != null) {
        shutdown.unregister(tPhysical);
      }
    }
  }
}
