package io.tsbackfill.work;

import io.tsbackfill.config.TaskRunConfig;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sessions;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SideFailure;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.ChunkLabel;
import io.tsbackfill.task.CopyPath;
import io.tsbackfill.task.Task;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed pool of workers, each with one source and one target connection for its lifetime,
 * claiming tasks from {@code __backfill.task} until none is left, for {@code copy} and {@code
 * verify} alike. Each task is one target transaction (claim, work, record) next to one source
 * transaction, so a task's outcome is recorded exactly when its work is committed (a job may take
 * up more tasks in that transaction, verify's small chunks: recorded and committed with it).
 * Transient errors roll the task back and retry it with backoff; a permanent error fails that task
 * at once and records it, and the workers go on with the others. Only an error outside any task
 * (the task list cannot be read) stops the run, and then the chunks in progress still finish.
 */
public final class TaskEngine {
  private static final Logger LOG = LoggerFactory.getLogger(TaskEngine.class);
  private static final long BACKOFF_START_MS = 1000;
  private static final long BACKOFF_MAX_MS = 30_000;

  /** Recovery conflicts after which the standby settings that prevent them are named. */
  private static final int RECOVERY_CONFLICT_ADVICE_AFTER = 2;

  static final String RECOVERY_CONFLICT_FIX =
      "the source standby cancels reads that conflict with its replay: set hot_standby_feedback"
          + " = on on it, or raise its max_standby_streaming_delay (-1: replay waits for the"
          + " reads) for the backfill";

  private final TaskRunConfig config;
  private final TaskJob job;
  private final TaskListener listener;
  private final Shutdown shutdown;

  private final AtomicInteger finished = new AtomicInteger();
  private final Map<ChunkReport.Outcome, AtomicInteger> outcomes =
      new EnumMap<>(ChunkReport.Outcome.class);
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  /** Tasks that ended unsuccessfully in this run: never claimed again by it. */
  private final Set<Long> leftPending = ConcurrentHashMap.newKeySet();

  /**
   * Tasks a worker of this run holds, from its claim to its end, backoffs included: another worker
   * must not take one up while its worker waits to retry it.
   */
  private final Set<Long> held = ConcurrentHashMap.newKeySet();

  /** Tasks whose end was reported: each once, whatever its retries. */
  private final Set<Long> reported = ConcurrentHashMap.newKeySet();

  private final List<ChunkFailure> failures = new CopyOnWriteArrayList<>();
  private final List<ChunkLabel> different = new CopyOnWriteArrayList<>();
  private final AtomicInteger recoveryConflicts = new AtomicInteger();
  private final AtomicReference<BackfillException> fatal = new AtomicReference<>();
  private volatile int total;

  public TaskEngine(TaskRunConfig config, TaskJob job, TaskListener listener, Shutdown shutdown) {
    this.config = config;
    this.job = job;
    this.listener = listener;
    this.shutdown = shutdown;
    for (ChunkReport.Outcome o : ChunkReport.Outcome.values()) {
      outcomes.put(o, new AtomicInteger());
    }
  }

  public RunResult run() {
    Instant start = Instant.now();
    int workers = config.parallelism();
    Database source = Database.open(config.source(), Math.max(1, workers));
    Database target = null;
    boolean closePools = true;
    try {
      target = Database.open(config.target(), Math.max(1, workers));
      TaskJob.Pending pending = job.prepare(source, target, workers, shutdown::isStopping);
      if (pending.nothing() != null) {
        return RunResult.nothing(pending.nothing(), Duration.between(start, Instant.now()));
      }
      total = (int) pending.chunks();
      listener.onStart(job.verb(), pending.chunks(), pending.bytes(), workers);
      List<Thread> threads = new ArrayList<>();
      for (int i = 1; i <= workers; i++) {
        Database s = source;
        Database t = target;
        Thread w = new Thread(() -> work(s, t), job.verb() + "-worker-" + i);
        w.setDaemon(true);
        threads.add(w);
      }
      threads.forEach(Thread::start);
      closePools = awaitWorkers(threads);
      // After an immediate stop the job drops what it still had to do after commits.
      job.finish(closePools ? shutdown::isImmediate : () -> true);
      listener.onEnd();
      long remaining = -1;
      if (closePools && fatal.get() == null) {
        try (Connection t = target.connect()) {
          remaining = job.remaining(t);
        } catch (SQLException | BackfillException e) {
          LOG.warn("could not count the tasks still pending: {}", describe(e));
        }
      }
      Map<ChunkReport.Outcome, Integer> counts = new EnumMap<>(ChunkReport.Outcome.class);
      outcomes.forEach((o, n) -> counts.put(o, n.get()));
      return new RunResult(
          counts,
          rows.get(),
          bytes.get(),
          Duration.between(start, Instant.now()),
          List.copyOf(failures),
          List.copyOf(different),
          shutdown.isStopping() && fatal.get() == null,
          fatal.get(),
          remaining,
          null);
    } finally {
      if (closePools) {
        source.close();
        if (target != null) {
          target.close();
        }
      }
    }
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

  private void work(Database source, Database target) {
    Worker w = new Worker(source, target);
    try {
      while (!shutdown.isStopping()) {
        Optional<Task> task = claim(w, null);
        if (task.isEmpty()) {
          break;
        }
        runWithRetries(w, task.get());
      }
    } catch (BackfillException e) {
      stopAfter(e);
    } catch (RuntimeException e) {
      stopAfter(BackfillException.internal(job.verb() + " worker failed: " + e, e));
    } finally {
      w.release();
    }
  }

  /**
   * An error outside any task ends the run: no worker claims again, but the chunks in progress
   * finish and commit, so one worker's failure never rolls back another's work.
   */
  private void stopAfter(BackfillException e) {
    if (!shutdown.isImmediate() && fatal.compareAndSet(null, e)) {
      shutdown.stopClaiming();
    }
  }

  private void runWithRetries(Worker w, Task task) {
    held.add(task.priority());
    try {
      attempt(w, task);
    } finally {
      held.remove(task.priority());
    }
  }

  private void attempt(Worker w, Task task) {
    listener.onChunkStarted(Thread.currentThread().getName(), task.label(), task.sourceBytes());
    int maxAttempts = config.retries() + 1;
    for (int attempt = 1; ; attempt++) {
      Instant t0 = Instant.now();
      try {
        TaskJob.Done done = job.process(task, w.s, w.t, excluded());
        if (!done.outcome().done()) {
          // Before the commit releases the row lock, or another worker claims it again.
          leftPending.add(task.priority());
        }
        if (!w.s.getAutoCommit()) {
          SideFailure.on(
              Side.SOURCE,
              () -> {
                w.s.commit();
                return null;
              });
        }
        SideFailure.on(
            Side.TARGET,
            () -> {
              // The outcome and the COMMIT in one round trip; a failed record never commits.
              Jdbc.Update record = done.allRecords();
              if (record == null) {
                w.t.commit();
              } else {
                Jdbc.updateAndCommit(w.t, record);
              }
              return null;
            });
        job.committed(task);
        finish(task, done, t0);
        for (TaskJob.Also also : done.also()) {
          if (!also.done().outcome().done()) {
            leftPending.add(also.task().priority());
          }
          listener.onChunkStarted(
              Thread.currentThread().getName(), also.task().label(), also.task().sourceBytes());
          finish(also.task(), also.done(), t0);
        }
        return;
      } catch (SQLException | RuntimeException e) {
        w.rollback();
        if (shutdown.isImmediate()) {
          return;
        }
        if (e instanceof BackfillException be && !aboutTheChunk(be)) {
          throw be;
        }
        if (!(e instanceof SQLException) && !(e instanceof BackfillException)) {
          throw (RuntimeException) e;
        }
        Side side =
            e instanceof BackfillException be
                ? (be.exitCode() == Side.SOURCE.exitCode() ? Side.SOURCE : Side.TARGET)
                : SideFailure.sideOf(e, Side.TARGET);
        SqlStates.Kind kind = SqlStates.classify(e);
        // Which side failed is half of what an operator needs to know (a connection error's text
        // is the same on both).
        String failure = side.label() + " database: " + describe(e);
        if (!kind.isTransient()) {
          // The pool closes a connection after some errors (0A000 among them): not a reason to
          // retry, but that connection is no use for the next task.
          w.discardClosed();
          String fix =
              SqlStates.fix(SqlStates.of(e), side)
                  .map(f -> f + ", then run " + job.verb() + " again")
                  .orElse(null);
          recordFailure(
              w, task, new ChunkFailure(task.label(), side, SqlStates.of(e), failure, fix), t0);
          return;
        }
        w.discard();
        if (kind == SqlStates.Kind.RECOVERY_CONFLICT
            && recoveryConflicts.incrementAndGet() == RECOVERY_CONFLICT_ADVICE_AFTER) {
          LOG.warn("{}", RECOVERY_CONFLICT_FIX);
        }
        if (attempt >= maxAttempts) {
          recordFailure(
              w,
              task,
              new ChunkFailure(
                  task.label(),
                  side,
                  SqlStates.of(e),
                  "failed after " + attempt + " attempts: " + failure,
                  kind == SqlStates.Kind.RECOVERY_CONFLICT
                      ? RECOVERY_CONFLICT_FIX + ", then run " + job.verb() + " again"
                      : "the error is transient: run " + job.verb() + " again"),
              t0);
          return;
        }
        long backoff = backoff(attempt);
        listener.onRetry(task.label(), attempt, maxAttempts, backoff, failure);
        try {
          shutdown.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        if (shutdown.isStopping()) {
          return;
        }
        Optional<Task> again = claim(w, task.priority());
        if (again.isEmpty()) {
          LOG.info("{} was taken or finished by another worker; moving on", task.label().text());
          return;
        }
      }
    }
  }

  /**
   * Claims a task (the next one, or {@code priority} again), riding out transient errors the same
   * way as the work on a task: reconnect after a backoff, at most {@code --retries} times in a row.
   * A session lost while the worker claims is no reason to stop the whole run.
   */
  private Optional<Task> claim(Worker w, Long priority) {
    for (int attempt = 1; ; attempt++) {
      try {
        return w.claim(priority);
      } catch (SQLException e) {
        w.discard();
        if (attempt > config.retries()) {
          throw w.target.error("claiming a task", e);
        }
        long backoff = backoff(attempt);
        LOG.warn("claiming a task failed ({}); reconnecting in {} ms", describe(e), backoff);
        try {
          shutdown.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
        if (shutdown.isStopping()) {
          return Optional.empty();
        }
      }
    }
  }

  private void finish(Task task, TaskJob.Done done, Instant t0) {
    if (!reported.add(task.priority())) {
      LOG.debug("{} was reported already in this run", task.label().text());
      return;
    }
    outcomes.get(done.outcome()).incrementAndGet();
    if (done.outcome() == ChunkReport.Outcome.DIFFERENT) {
      different.add(task.label());
    }
    rows.addAndGet(done.rows());
    bytes.addAndGet(done.bytes());
    int index = finished.incrementAndGet();
    listener.onChunkFinished(
        new ChunkReport(
            index,
            // Tasks staged or requeued while the run goes on count too: never "[5/4]".
            Math.max(total, index),
            done.outcome(),
            task.label(),
            done.path() == CopyPath.DIRECT ? Ident.display(done.destination()) : null,
            done.destination() == null ? null : Ident.display(done.destination()),
            done.path() == null ? null : done.path().column(),
            done.rows(),
            done.bytes(),
            Duration.between(t0, Instant.now()),
            done.message(),
            done.details() == null ? List.of() : done.details(),
            task.sourceBytes()));
  }

  private void recordFailure(Worker w, Task task, ChunkFailure failure, Instant t0) {
    leftPending.add(task.priority());
    try {
      w.connect();
      w.endLeftOverSessions();
      w.t.setAutoCommit(true);
      job.recordFailure(w.t, task, failure.recorded(), failure.sqlState());
    } catch (SQLException | BackfillException e) {
      LOG.warn("could not record the failure of {}: {}", task.label().text(), describe(e));
      w.discard();
    }
    if (!reported.contains(task.priority())) {
      failures.add(failure);
    }
    finish(
        task,
        new TaskJob.Done(
            ChunkReport.Outcome.FAILED,
            null,
            null,
            0,
            0,
            failure.recorded(),
            List.of(),
            null,
            List.of()),
        t0);
  }

  /**
   * Whether an exception of ours thrown by the job concerns only its chunk (a database error or a
   * bad state found on it), so that the chunk fails and the others go on.
   */
  private static boolean aboutTheChunk(BackfillException e) {
    int code = e.exitCode();
    return code == Side.SOURCE.exitCode()
        || code == Side.TARGET.exitCode()
        || code == io.tsbackfill.error.ExitCode.BAD_STATE;
  }

  static long backoff(int attempt) {
    long base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS << Math.min(attempt - 1, 16));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  /** An error as one line: SQLSTATE and the server's message, without the side wrapper. */
  public static String describe(Throwable e) {
    String state = SqlStates.of(e);
    Throwable root = e;
    while (root instanceof SideFailure && root.getCause() != null) {
      root = root.getCause();
    }
    String text = root instanceof SQLException sql ? SqlStates.serverMessage(sql) : root.toString();
    return (state == null ? "" : "[" + state + "] ") + text;
  }

  /** The tasks no worker of this run may claim now: ended unsuccessfully, or held by another. */
  private Set<Long> excluded() {
    Set<Long> out = new java.util.HashSet<>(leftPending);
    out.addAll(held);
    return out;
  }

  /** One worker's pair of connections, registered for an immediate stop. */
  private final class Worker {
    private final Database source;
    private final Database target;
    Connection s;
    Connection t;
    private Connection sPhysical;
    private Connection tPhysical;
    private Sessions.Session sSession;
    private Sessions.Session tSession;

    /** The source connection is new: the job has not prepared it yet (TaskJob.sourceOpened). */
    private boolean sourceFresh;

    private final List<Sessions.Session> leftOver = new ArrayList<>();

    Worker(Database source, Database target) {
      this.source = source;
      this.target = target;
    }

    /**
     * Begins a target transaction and claims a task: the next one, or {@code priority}. Throws
     * transient errors for the caller to retry; others end the run.
     */
    Optional<Task> claim(Long priority) throws SQLException {
      try {
        connect();
        drainWarnings(s, Side.SOURCE);
        drainWarnings(t, Side.TARGET);
        endLeftOverSessions();
        if (sourceFresh) {
          // After the left-over sessions are ended: those statements read as before.
          s.setAutoCommit(true);
          job.sourceOpened(s);
          sourceFresh = false;
        }
        t.setAutoCommit(false);
        s.setAutoCommit(!job.sourceTransaction());
        Optional<Task> task =
            priority == null ? job.claimNext(t, excluded()) : job.claimAgain(t, priority);
        while (priority == null
            && task.isPresent()
            && (leftPending.contains(task.get().priority())
                || held.contains(task.get().priority()))) {
          // Another worker ended this task in this run, or waits to retry it, and the exclusion
          // set we read did not say so yet: let it go and ask again with the set as it is now.
          t.rollback();
          task = job.claimNext(t, excluded());
        }
        if (task.isEmpty()) {
          t.commit();
        }
        return task;
      } catch (SQLException e) {
        rollback();
        if (shutdown.isImmediate()) {
          return Optional.empty();
        }
        if (isTransient(e)) {
          throw e;
        }
        throw target.error("claiming a task", e);
      }
    }

    /**
     * Logs and clears what the server said on {@code c} without failing (NOTICEs: TimescaleDB sends
     * one with every COPY out of a chunk). The driver keeps them on the connection until cleared,
     * each one appended at the end of the list: a worker's connection lives for the whole run, so
     * without this its memory and each append grew with the chunks copied.
     */
    private void drainWarnings(Connection c, Side side) throws SQLException {
      for (SQLWarning w = c.getWarnings(); w != null; w = w.getNextWarning()) {
        LOG.debug("the {} said: {}", side.label(), w.getMessage());
      }
      c.clearWarnings();
    }

    boolean isTransient(Throwable e) {
      return SqlStates.isTransient(e);
    }

    /** Drops the connections the pool has closed (after errors it takes for broken ones). */
    void discardClosed() {
      if (isClosed(s) || isClosed(t)) {
        discard();
      }
    }

    private static boolean isClosed(Connection c) {
      try {
        return c != null && c.isClosed();
      } catch (SQLException e) {
        return true;
      }
    }

    void connect() {
      if (s == null) {
        s = source.connect();
        sPhysical = physical(s);
        shutdown.register(sPhysical);
        sSession = Sessions.identify(Side.SOURCE, s);
        sourceFresh = true;
      }
      if (t == null) {
        t = target.connect();
        tPhysical = physical(t);
        shutdown.register(tPhysical);
        tSession = Sessions.identify(Side.TARGET, t);
      }
    }

    /** Ends what may be left on the servers of connections dropped after a transient error. */
    void endLeftOverSessions() {
      for (Sessions.Session old : leftOver) {
        Sessions.end(old.side() == Side.SOURCE ? s : t, old);
      }
      leftOver.clear();
    }

    /** The driver's connection under the pool's proxy (JDBC's own unwrap, no driver class). */
    private Connection physical(Connection c) {
      try {
        return c.unwrap(Connection.class);
      } catch (SQLException e) {
        return c;
      }
    }

    void rollback() {
      for (Connection c : new Connection[] {s, t}) {
        if (c != null) {
          try {
            if (!c.getAutoCommit()) {
              c.rollback();
            }
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
        if (sSession != null) {
          leftOver.add(sSession);
        }
      }
      if (t != null) {
        shutdown.unregister(tPhysical);
        target.discard(t);
        t = null;
        if (tSession != null) {
          leftOver.add(tSession);
        }
      }
    }

    void release() {
      for (Connection c : new Connection[] {s, t}) {
        if (c != null) {
          try {
            if (!c.getAutoCommit()) {
              c.rollback();
              c.setAutoCommit(true);
            }
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
