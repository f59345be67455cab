package io.tsbackfill.work;

import io.tsbackfill.db.Database;
import io.tsbackfill.task.CopyPath;
import io.tsbackfill.task.Task;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What a {@link TaskEngine} does with each task: {@code copy} or {@code verify}. The engine owns
 * the workers, connections, transactions, retries and stops; the job owns the SQL.
 */
public interface TaskJob {
  /** The verb for messages and thread names, e.g. "copy". */
  String verb();

  /** The advisory-lock key that shows this job's tasks in flight (see TaskStore). */
  int inFlightKey();

  /**
   * Checks the databases before any of the {@code workers} starts and counts the pending tasks;
   * throws a {@link io.tsbackfill.error.BackfillException} when the run cannot start. Work done
   * here for all tasks at once ends early when {@code stopping} says so.
   */
  Pending prepare(Database source, Database target, int workers, BooleanSupplier stopping);

  /**
   * Prepares a new source connection of a worker, in autocommit, before its first task: sets what
   * the source transactions of this job are (isolation, read only) for the session, so that no
   * chunk spends a round trip on it.
   */
  default void sourceOpened(Connection s) throws SQLException {}

  /**
   * Whether the job reads the source in a transaction per task (autocommit off, committed by the
   * engine before the target), or in single statements in autocommit, each its own snapshot.
   */
  default boolean sourceTransaction() {
    return true;
  }

  /**
   * Claims the next pending task, not in {@code exclude}, in the open target transaction, and shows
   * it in flight (the advisory lock {@link #inFlightKey}) until that transaction ends.
   */
  Optional<Task> claimNext(Connection t, Collection<Long> exclude) throws SQLException;

  /** Claims the task {@code priority} again for a retry, if it is still pending and free. */
  Optional<Task> claimAgain(Connection t, long priority) throws SQLException;

  /**
   * Does the work inside the open source and target transactions; the statement that records its
   * outcome in the task row is {@link Done#record}, which the engine runs with the target's COMMIT,
   * after committing the source.
   */
  Done process(Task task, Connection s, Connection t) throws SQLException;

  /**
   * {@link #process}, knowing the tasks not to take up beside it ({@code exclude}: those that ended
   * in this run or another worker holds), for a job that does several tasks in one transaction.
   */
  default Done process(Task task, Connection s, Connection t, Collection<Long> exclude)
      throws SQLException {
    return process(task, s, t);
  }

  /** Called after the engine committed the work {@link #process} did on {@code task}. */
  default void committed(Task task) {}

  /**
   * Called once the workers are done: finishes what the job does after commits, until {@code
   * stopNow} says to stop waiting (at once after an immediate stop) and drop the rest.
   */
  default void finish(BooleanSupplier stopNow) {}

  /** Tasks still pending after the run (held by another process, or failed), for the summary. */
  long remaining(Connection t) throws SQLException;

  /**
   * Records, in autocommit, that the task failed (a permanent error, or a transient one after all
   * retries); {@code sqlState} is the error's, null if it had none. The task stays pending.
   */
  void recordFailure(Connection t, Task task, String message, String sqlState) throws SQLException;

  /**
   * Pending tasks and their staged source bytes; when there are none, {@code nothing} says why (the
   * run then ends at once, successfully).
   */
  record Pending(long chunks, long bytes, String nothing) {
    public Pending(long chunks, long bytes) {
      this(chunks, bytes, null);
    }
  }

  /**
   * One task's result, before commit; {@code record} writes it into the task row (null: nothing to
   * write). {@code also}: the results of other tasks the job claimed and did in the same
   * transaction, each with its own record, committed and reported with this one.
   */
  record Done(
      ChunkReport.Outcome outcome,
      String destination,
      CopyPath path,
      long rows,
      long bytes,
      String message,
      java.util.List<String> details,
      io.tsbackfill.db.Jdbc.Update record,
      java.util.List<Also> also) {

    /** This result, with {@code also} done in the same transaction. */
    public Done withAlso(java.util.List<Also> also) {
      return new Done(outcome, destination, path, rows, bytes, message, details, record, also);
    }

    /** This task's record and those of {@link #also}, as one update (null: none). */
    public io.tsbackfill.db.Jdbc.Update allRecords() {
      java.util.List<Done> all = new java.util.ArrayList<>(java.util.List.of(this));
      also.forEach(a -> all.add(a.done()));
      java.util.List<String> sql = new java.util.ArrayList<>();
      java.util.List<Object> args = new java.util.ArrayList<>();
      for (Done d : all) {
        if (d.record() != null) {
          sql.add(d.record().sql().strip());
          args.addAll(java.util.Arrays.asList(d.record().args()));
        }
      }
      return sql.isEmpty()
          ? null
          : new io.tsbackfill.db.Jdbc.Update(String.join(";\n", sql), args.toArray());
    }
  }

  /** Another task done in the same transaction as the one claimed (see {@link Done#also}). */
  record Also(Task task, Done done) {}
}
