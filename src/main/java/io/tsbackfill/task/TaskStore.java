package io.tsbackfill.task;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.CatalogLayout;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.ChunkSpan;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

  /** A chunk to stage: what {@link #insertAll} writes into one task row. */
  public record NewTask(
      String chunkSchema,
      String chunkName,
      String hypertableSchema,
      String hypertableName,
      String dimensionsJson,
      String filter,
      String targetHypertableSchema,
      String targetHypertableName,
      long sourceBytes,
      OffsetDateTime untilTime) {}

  /**
   * Inserts the tasks in their order (their priorities follow it) in one statement, leaving out
   * chunks staged already; returns the {@code schema.name} (as {@link #stagedKey}) of those
   * inserted. One statement, not one per chunk: stage's round trips to the target must not grow
   * with the number of chunks.
   */
  public static Set<String> insertAll(Connection t, List<NewTask> tasks) throws SQLException {
    if (tasks.isEmpty()) {
      return Set.of();
    }
    int n = tasks.size();
    String[][] text = new String[9][n];
    Long[] bytes = new Long[n];
    for (int i = 0; i < n; i++) {
      NewTask k = tasks.get(i);
      text[0][i] = k.chunkSchema();
      text[1][i] = k.chunkName();
      text[2][i] = k.hypertableSchema();
      text[3][i] = k.hypertableName();
      text[4][i] = k.dimensionsJson();
      text[5][i] = k.filter();
      text[6][i] = k.targetHypertableSchema();
      text[7][i] = k.targetHypertableName();
      // ISO 8601 with its offset: read back by PostgreSQL as the same instant.
      text[8][i] = k.untilTime() == null ? null : k.untilTime().toString();
      bytes[i] = k.sourceBytes();
    }
    Object[] args = new Object[10];
    for (int c = 0; c < 8; c++) {
      args[c] = t.createArrayOf("text", text[c]);
    }
    args[8] = t.createArrayOf("bigint", bytes);
    args[9] = t.createArrayOf("text", text[8]);
    return new HashSet<>(
        Jdbc.query(
            t,
            Sql.load("task/insert-all"),
            rs -> stagedKey(rs.getString(1), rs.getString(2)),
            args));
  }

  /** How {@link #insertAll} names an inserted chunk. */
  public static String stagedKey(String chunkSchema, String chunkName) {
    return Ident.qname(chunkSchema, chunkName);
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

  /**
   * Claims the next pending task in the caller's open transaction and shows it in flight (see
   * {@link #claim}).
   */
  public static Optional<Task> claimNextCopyTask(
      Connection t, CatalogLayout layout, Collection<Long> exclude) throws SQLException {
    Object excluded = t.createArrayOf("bigint", exclude.toArray());
    return claim(t, layout, "task/claim-copy", excluded, COPY_LOCK);
  }

  /** Claims a given task again (for a retry) if it is still pending and not locked. */
  public static Optional<Task> claimCopyTaskAgain(Connection t, CatalogLayout layout, long priority)
      throws SQLException {
    return claim(t, layout, "task/claim-copy-again", priority, COPY_LOCK);
  }

  /** The claim statements by layout and claim, written once: every task's work starts with one. */
  private static final Map<List<Object>, String> CLAIMS = new ConcurrentHashMap<>();

  /**
   * One claim ({@code claimSql} with its one parameter {@code arg}) in one statement, which also
   * takes the in-flight advisory lock {@code (lockKind, priority)} that shows the task to {@code
   * status} until the transaction ends, and reads what the target has for the task ({@link
   * ClaimedTarget}): a chunk's work starts with a single round trip to the target.
   */
  private static Optional<Task> claim(
      Connection t, CatalogLayout layout, String claimSql, Object arg, int lockKind)
      throws SQLException {
    List<Task> claimed = claimAll(t, layout, claimSql, lockKind, arg);
    if (claimed.size() > 1) {
      throw new SQLException("expected at most one claimed task, got " + claimed.size());
    }
    return claimed.stream().findFirst();
  }

  /** {@link #claim} of every task {@code claimSql} (with {@code claimArgs}) selects. */
  private static List<Task> claimAll(
      Connection t, CatalogLayout layout, String claimSql, int lockKind, Object... claimArgs)
      throws SQLException {
    String sql =
        CLAIMS.computeIfAbsent(
            List.of(layout, claimSql),
            k -> layout.sql("task/claimed").replace("{claim}", Sql.load(claimSql).strip()));
    String trigger = Catalog.INVALIDATION_TRIGGER;
    List<Object> args = new ArrayList<>(List.of(claimArgs));
    args.addAll(List.of(lockKind, trigger, trigger, trigger));
    return Jdbc.query(t, sql, TaskStore::claimedTask, args.toArray());
  }

  /** The statement that records a copy in the task row (run with the commit, see TaskJob). */
  public static Jdbc.Update markCopied(
      long priority, String message, CopyPath path, long rows, long bytes) {
    return new Jdbc.Update(
        Sql.load("task/mark-copied"), message, path.column(), rows, bytes, priority);
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

  /**
   * Claims the next copied, not yet verified task in the caller's open transaction and shows it in
   * flight (see {@link #claim}).
   */
  public static Optional<Task> claimNextVerifyTask(
      Connection t, CatalogLayout layout, Collection<Long> exclude) throws SQLException {
    Object excluded = t.createArrayOf("bigint", exclude.toArray());
    return claim(t, layout, "task/claim-verify", excluded, VERIFY_LOCK);
  }

  /**
   * Claims, beside the verify task {@code main} in the same transaction, the tasks of
   * task/claim-verify-companions.sql (none in {@code exclude}), each shown in flight as {@code
   * main} is.
   */
  public static List<Task> claimVerifyCompanions(
      Connection t, CatalogLayout layout, Task main, Collection<Long> exclude) throws SQLException {
    return claimAll(
        t,
        layout,
        "task/claim-verify-companions",
        VERIFY_LOCK,
        main.priority(),
        t.createArrayOf("bigint", exclude.toArray()));
  }

  public static Optional<Task> claimVerifyTaskAgain(
      Connection t, CatalogLayout layout, long priority) throws SQLException {
    return claim(t, layout, "task/claim-verify-again", priority, VERIFY_LOCK);
  }

  /** The statement that records a verified task (run with the commit, see TaskJob). */
  public static Jdbc.Update markVerified(long priority, String message) {
    return new Jdbc.Update(Sql.load("task/mark-verified"), message, priority);
  }

  /** Records a failed verification; {@code sqlState} is null for differences. */
  public static void markVerifyFailed(Connection t, long priority, String message, String sqlState)
      throws SQLException {
    Jdbc.Update u = verifyFailed(priority, message, sqlState);
    Jdbc.update(t, u.sql(), u.args());
  }

  /** The statement of {@link #markVerifyFailed}, to run with the commit (see TaskJob). */
  public static Jdbc.Update verifyFailed(long priority, String message, String sqlState) {
    return new Jdbc.Update(Sql.load("task/mark-verify-failed"), message, sqlState, priority);
  }

  /** A row of task/claimed.sql: the task and what its claim read on the target. */
  private static Task claimedTask(ResultSet rs) throws SQLException {
    String chunkTable = rs.getString(15);
    Integer triggerHypertable = rs.getObject(20) == null ? null : rs.getInt(20);
    ClaimedTarget target =
        new ClaimedTarget(
            rs.getString(12),
            chunkTable == null
                ? Optional.empty()
                : Optional.of(new ChunkName(rs.getString(14), chunkTable)),
            rs.getInt(16),
            rs.getString(17),
            rs.getString(18),
            rs.getInt(19),
            triggerHypertable,
            rs.getInt(21),
            rs.getObject(22) == null
                ? null
                : new Catalog.HypertableId(rs.getInt(22), rs.getInt(23)),
            overlapping(rs),
            rs.getBoolean(30));
    return task(rs, target);
  }

  /** The overlapping target chunks of a claim, from its parallel arrays (columns 24 to 29). */
  private static List<ChunkSpan> overlapping(ResultSet rs) throws SQLException {
    if (rs.getArray(24) == null) {
      return List.of();
    }
    String[] schemas = (String[]) rs.getArray(24).getArray();
    String[] tables = (String[]) rs.getArray(25).getArray();
    Long[] starts = (Long[]) rs.getArray(26).getArray();
    Long[] ends = (Long[]) rs.getArray(27).getArray();
    Boolean[] triggers = (Boolean[]) rs.getArray(28).getArray();
    Boolean[] compressed = (Boolean[]) rs.getArray(29).getArray();
    List<ChunkSpan> out = new java.util.ArrayList<>(schemas.length);
    for (int i = 0; i < schemas.length; i++) {
      out.add(new ChunkSpan(schemas[i], tables[i], starts[i], ends[i], triggers[i], compressed[i]));
    }
    return List.copyOf(out);
  }

  static Task task(ResultSet rs) throws SQLException {
    return task(rs, null);
  }

  /** A task from its first eleven columns, with what its claim read ({@code claimed}, or null). */
  private static Task task(ResultSet rs, ClaimedTarget claimed) throws SQLException {
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
        rs.getString(11),
        claimed);
  }
}
