package io.tsbackfill.task;

import io.tsbackfill.catalog.CatalogLayout;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code __backfill} schema in the target: the durable task queue that makes copy resumable and
 * lets several copy processes share work. Claims use {@code FOR NO KEY UPDATE SKIP LOCKED}, so a
 * row lock held for the whole per-chunk transaction is what gives a chunk to exactly one worker.
 */
public final class TaskStore {
  private static final Logger LOG = LoggerFactory.getLogger(TaskStore.class);
  public static final String SCHEMA = "__backfill";

  /** First key of the advisory lock that shows a task being copied ("bf" 1). */
  public static final int COPY_LOCK = 0x62660001;

  /** First key of the advisory lock that shows a task being verified ("bf" 2). */
  public static final int VERIFY_LOCK = 0x62660002;

  private TaskStore() {}

  public static boolean schemaExists(Connection t) throws SQLException {
    return Jdbc.queryOne(t, Sql.load("task/schema-exists"), rs -> rs.getBoolean(1)).orElse(false);
  }

  public static void createSchema(Connection t) throws SQLException {
    Jdbc.execute(t, Sql.load("task/create-schema"));
  }

  /**
   * Adds to a task table made by an earlier version the columns it lacks (failure SQLSTATEs, the
   * times a task copies), so that a backfill under way goes on after an upgrade of the tool. Does
   * nothing, and takes no lock, when none is missing; otherwise briefly locks the table, and when
   * that or the ALTER fails (another role owns it, a copy holds it) refuses with what to do.
   */
  public static void upgrade(Connection t) throws SQLException {
    List<String> missing = Jdbc.query(t, Sql.load("task/missing-columns"), rs -> rs.getString(1));
    if (missing.isEmpty()) {
      return;
    }
    boolean auto = t.getAutoCommit();
    try {
      t.setAutoCommit(false);
      Jdbc.execute(t, "SET LOCAL lock_timeout = '10s'");
      Jdbc.execute(t, Sql.load("task/upgrade-columns"));
      if (auto) {
        t.commit();
      }
      LOG.info("{}.task was made by an earlier version; added its columns {}", SCHEMA, missing);
    } catch (SQLException e) {
      if (auto) {
        t.rollback();
      }
      throw BackfillException.badState(
          SCHEMA
              + ".task was made by an earlier version of the tool and lacks the columns "
              + String.join(", ", missing)
              + "; adding them failed ("
              + SqlStates.serverMessage(e)
              + "). Run this command as the role that ran stage (it owns the table) while no copy"
              + " or verify runs, or clean and stage again");
    } finally {
      t.setAutoCommit(auto);
    }
  }

  /** Inserts a task unless the chunk is staged already; true when it was inserted. */
  public static boolean insert(
      Connection t,
      String chunkSchema,
      String chunkName,
      String hypertableSchema,
      String hypertableName,
      String dimensionsJson,
      String filter,
      String targetHypertableSchema,
      String targetHypertableName,
      long sourceBytes,
      OffsetDateTime untilTime)
      throws SQLException {
    return Jdbc.queryOne(
            t,
            Sql.load("task/insert"),
            rs -> rs.getLong(1),
            chunkSchema,
            chunkName,
            hypertableSchema,
            hypertableName,
            dimensionsJson,
            filter,
            targetHypertableSchema,
            targetHypertableName,
            sourceBytes,
            untilTime)
        .isPresent();
  }

  /**
   * Tasks waiting for a verb, their staged size on the source, and (for verify) the tasks not
   * copied yet, which verify cannot check.
   */
  public record PendingCount(long tasks, long bytes, long notCopied) {}

  /** Pending copy tasks and their staged size in bytes. */
  public static PendingCount countCopyPending(Connection t) throws SQLException {
    return Jdbc.queryOne(
            t,
            Sql.load("task/count-copy-pending"),
            rs -> new PendingCount(rs.getLong(1), rs.getLong(2), rs.getLong(1)))
        .orElseThrow();
  }

  /**
   * The pending copy tasks of at least {@code minBytes} on the source whose target hypertable has
   * no chunk with the task's slices yet, in claim order, not locked.
   */
  public static List<Task> pendingCopyTasksWithoutTargetChunk(
      Connection t, CatalogLayout layout, long minBytes) throws SQLException {
    return Jdbc.query(
        t, layout.sql("task/pending-copy-without-target-chunk"), TaskStore::task, minBytes);
  }

  /** Claims the next pending task in the caller's open transaction. */
  public static Optional<Task> claimNextCopyTask(Connection t, Collection<Long> exclude)
      throws SQLException {
    Object excluded = t.createArrayOf("bigint", exclude.toArray());
    return Jdbc.queryOne(t, Sql.load("task/claim-copy"), TaskStore::task, excluded);
  }

  /** Claims a given task again (for a retry) if it is still pending and not locked. */
  public static Optional<Task> claimCopyTaskAgain(Connection t, long priority) throws SQLException {
    return Jdbc.queryOne(t, Sql.load("task/claim-copy-again"), TaskStore::task, priority);
  }

  public static void markCopied(
      Connection t, long priority, String message, CopyPath path, long rows, long bytes)
      throws SQLException {
    Jdbc.update(t, Sql.load("task/mark-copied"), message, path.column(), rows, bytes, priority);
  }

  /** Records a failed copy; the task stays pending. {@code sqlState} may be null. */
  public static void markCopyFailed(Connection t, long priority, String message, String sqlState)
      throws SQLException {
    Jdbc.update(t, Sql.load("task/mark-copy-failed"), message, sqlState, priority);
  }

  /**
   * What a hot standby as the source must have replayed before the tasks copy ({@code forCopy}) or
   * verify claims next are read: the latest {@code --until} among them as a point in time (null
   * when none has one) and how many have none (integer time, or staged by an earlier version).
   */
  public static ReplayNeed replayNeeded(Connection t, boolean forCopy) throws SQLException {
    return Jdbc.queryOne(
            t,
            Sql.load("task/replay-needed"),
            rs -> {
              java.time.OffsetDateTime until = rs.getObject(1, java.time.OffsetDateTime.class);
              return new ReplayNeed(until == null ? null : until.toInstant(), rs.getLong(2));
            },
            forCopy)
        .orElse(new ReplayNeed(null, 0));
  }

  /** See {@link #replayNeeded}. */
  public record ReplayNeed(java.time.Instant until, long unjudged) {}

  /** Tasks to verify, their staged source bytes, and tasks not yet copied. */
  public static PendingCount countVerifyPending(Connection t) throws SQLException {
    return Jdbc.queryOne(
            t,
            Sql.load("task/count-verify-pending"),
            rs -> new PendingCount(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
        .orElseThrow();
  }

  /** Claims the next copied, not yet verified task in the caller's open transaction. */
  public static Optional<Task> claimNextVerifyTask(Connection t, Collection<Long> exclude)
      throws SQLException {
    Object excluded = t.createArrayOf("bigint", exclude.toArray());
    return Jdbc.queryOne(t, Sql.load("task/claim-verify"), TaskStore::task, excluded);
  }

  public static Optional<Task> claimVerifyTaskAgain(Connection t, long priority)
      throws SQLException {
    return Jdbc.queryOne(t, Sql.load("task/claim-verify-again"), TaskStore::task, priority);
  }

  /** How the task was copied; empty before copy recorded it. */
  public static Optional<CopyPath> copyPath(Connection t, long priority) throws SQLException {
    return Jdbc.query(
            t, Sql.load("task/copy-path"), rs -> Optional.ofNullable(rs.getString(1)), priority)
        .stream()
        .findFirst()
        .flatMap(p -> p)
        .flatMap(CopyPath::ofColumn);
  }

  public static void markVerified(Connection t, long priority, String message) throws SQLException {
    Jdbc.update(t, Sql.load("task/mark-verified"), message, priority);
  }

  /** Records a failed verification; {@code sqlState} is null for differences. */
  public static void markVerifyFailed(Connection t, long priority, String message, String sqlState)
      throws SQLException {
    Jdbc.update(t, Sql.load("task/mark-verify-failed"), message, sqlState, priority);
  }

  /** Makes the claimed task visible as in flight to {@code status} until the transaction ends. */
  public static void markInFlight(Connection t, int kind, long priority) throws SQLException {
    Jdbc.queryOne(t, Sql.load("task/mark-in-flight"), rs -> rs.getBoolean(1), kind, priority);
  }

  static Task task(ResultSet rs) throws SQLException {
    return new Task(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getLong(10),
        rs.getString(11));
  }
}
