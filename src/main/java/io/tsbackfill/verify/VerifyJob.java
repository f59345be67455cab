package io.tsbackfill.verify;

import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.CopyPath;
import io.tsbackfill.task.Task;
import io.tsbackfill.task.TaskStore;
import io.tsbackfill.work.ChunkReport.Outcome;
import io.tsbackfill.work.StandbyLag;
import io.tsbackfill.work.TaskJob;
import io.tsbackfill.work.TaskJob.Also;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code verify} job: per copied task, the same summary (row count; per column non-NULL count,
 * min, max, sum) over the source chunk and over its rows on the target, restricted to the task's
 * range filter, compared exactly (floats within a rounding tolerance). The source's summary is one
 * read-only statement ({@link SourceSnapshot}) that never blocks the application.
 */
public final class VerifyJob implements TaskJob {
  private static final Logger LOG = LoggerFactory.getLogger(VerifyJob.class);
  private volatile long notCopied;
  private TimescaleInfo sourceInfo;
  private TimescaleInfo targetInfo;
  private final Duration standbyWait;
  private SourceSnapshot snapshot = SourceSnapshot.PRIMARY;
  private final Map<String, Summary> summaries = new ConcurrentHashMap<>();

  /** Staged source size under which a chunk is verified with others (see {@link #batch}). */
  static final long BATCH_BYTES = 1 << 20;

  /** PostgreSQL's undefined_table: the source chunk was dropped since stage. */
  private static final String UNDEFINED_TABLE = "42P01";

  /** With a hot standby as the source, waits up to {@code standbyWait} for it to catch up. */
  public VerifyJob(Duration standbyWait) {
    this.standbyWait = standbyWait;
  }

  @Override
  public String verb() {
    return "verify";
  }

  /** Staged tasks that were not copied yet when the run started (they are not verified). */
  public long notCopied() {
    return notCopied;
  }

  @Override
  public int inFlightKey() {
    return TaskStore.VERIFY_LOCK;
  }

  @Override
  public Pending prepare(Database source, Database target, int workers, BooleanSupplier stopping) {
    try (Connection s = source.connect()) {
      sourceInfo = Catalog.inspect(s, Side.SOURCE);
    } catch (SQLException e) {
      throw source.error("reading the TimescaleDB catalog", e);
    }
    TaskStore.PendingCount pending;
    TaskStore.ReplayNeed need;
    try (Connection t = target.connect()) {
      targetInfo = Catalog.inspect(t, Side.TARGET);
      if (!TaskStore.schemaExists(t)) {
        throw BackfillException.badState(
            "the target has no __backfill schema: run 'timescaledb-backfill stage' and 'copy'"
                + " before verify");
      }
      TaskStore.upgrade(t);
      pending = TaskStore.countVerifyPending(t);
      need = TaskStore.replayNeeded(t, false);
    } catch (SQLException e) {
      throw target.error("reading the task list", e);
    }
    notCopied = pending.notCopied();
    if (pending.tasks() == 0) {
      throw BackfillException.badState(
          pending.notCopied() > 0
              ? "no copied chunk awaits verification: "
                  + pending.notCopied()
                  + " staged chunk"
                  + (pending.notCopied() == 1 ? " is" : "s are")
                  + " not copied yet; run 'timescaledb-backfill copy' first"
              : "no chunk awaits verification: every copied chunk is verified already;"
                  + " 'stage' adds tasks");
    }
    snapshot =
        StandbyLag.prepare(
            source,
            new StandbyLag.Need(need.until(), need.unjudged(), "copied chunks have"),
            standbyWait,
            stopping);
    return new Pending(pending.tasks(), pending.bytes());
  }

  @Override
  public void sourceOpened(Connection s) throws SQLException {
    snapshot.session(s);
  }

  /**
   * The source in autocommit: a chunk's summary is one statement, which reads in one snapshot of
   * its own (the session's isolation, see {@link SourceSnapshot#session}), in one round trip.
   */
  @Override
  public boolean sourceTransaction() {
    return false;
  }

  @Override
  public Optional<Task> claimNext(Connection t, Collection<Long> exclude) throws SQLException {
    return TaskStore.claimNextVerifyTask(t, targetInfo.layout(), exclude);
  }

  @Override
  public Optional<Task> claimAgain(Connection t, long priority) throws SQLException {
    return TaskStore.claimVerifyTaskAgain(t, targetInfo.layout(), priority);
  }

  @Override
  public Done process(Task task, Connection s, Connection t, Collection<Long> exclude)
      throws SQLException {
    Optional<Done> batch = batch(task, s, t, exclude);
    return batch.isPresent() ? batch.get() : process(task, s, t);
  }

  @Override
  public Done process(Task task, Connection s, Connection t) throws SQLException {
    String where = task.filter() == null ? "" : " WHERE " + task.filter();
    // Read by the claim, in this transaction.
    Optional<ChunkName> targetChunk = on(TARGET, () -> task.target().requireChunk(task));
    Summary summary;
    Optional<List<String>> read;
    String targetFrom;
    String destination;
    CopyPath path;
    if (targetChunk.isPresent()) {
      destination = targetChunk.get().qname();
      path = CopyPath.DIRECT;
      // Not ONLY: on a compressed chunk ONLY reads just its uncompressed heap, and TimescaleDB
      // returns the compressed batches decompressed only to a plain read of the chunk.
      targetFrom = destination + where;
      LOG.debug("verifying rows of chunk {} against {}", task.chunkQname(), destination);
      summary = on(TARGET, () -> summaryOf(t, task));
      read = on(SOURCE, () -> sourceSummary(s, task, summary, where, null));
    } else {
      Optional<CopyPath> copied = CopyPath.ofColumn(task.target().copyPath());
      boolean hypertable = task.target().hypertableExists();
      if (copied.equals(Optional.of(CopyPath.DIRECT)) || !hypertable) {
        if (!sourceChunkExists(s, task)) {
          return sourceChunkGone(task);
        }
        return different(
            task,
            null,
            null,
            "its target chunk does not exist"
                + (hypertable
                    ? ""
                    : " (nor the hypertable " + Ident.display(task.targetHypertableQname()) + ")"),
            List.of());
      }
      // Routed: the chunk's rows may lie in target chunks of other sizes; read them through the
      // hypertable, restricted exactly as copy's delete was: by the source chunk's constraints,
      // read with its summary.
      List<String> checks = new ArrayList<>();
      summary = on(TARGET, () -> summaryOf(t, task));
      read = on(SOURCE, () -> sourceSummary(s, task, summary, where, checks));
      if (read.isEmpty()) {
        return sourceChunkGone(task);
      }
      String inChunk =
          on(SOURCE, () -> Catalog.predicateOf(checks, task.chunkSchema(), task.chunkName()));
      destination = task.targetHypertableQname();
      path = CopyPath.ROUTED;
      targetFrom = destination + " WHERE " + task.rowsOfChunk(inChunk);
      LOG.debug("verifying rows of chunk {} against {}", task.chunkQname(), destination);
    }
    if (read.isEmpty()) {
      return sourceChunkGone(task);
    }
    List<String> targetValues = on(TARGET, () -> summary.run(t, targetFrom));
    return compared(task, summary, read.get(), targetValues, destination, path);
  }

  /**
   * Whole small chunks are verified several at a time: beside a task of under {@link #BATCH_BYTES}
   * with its target chunk, the companions claim-verify-companions.sql claims in the same
   * transaction, each pair of summaries read in one statement per side (a small chunk's summary
   * costs its statement far more than its rows: 1.5 ms a chunk alone, 0.65 in a statement of 20).
   * Empty when the task does not qualify or the batch cannot be read (a source chunk gone, say):
   * then the task is verified alone, and the companions, claimed but not recorded, are free again
   * at commit.
   */
  private Optional<Done> batch(Task task, Connection s, Connection t, Collection<Long> exclude)
      throws SQLException {
    if (task.filter() != null || task.sourceBytes() >= BATCH_BYTES) {
      return Optional.empty();
    }
    Optional<ChunkName> targetChunk = on(TARGET, () -> task.target().requireChunk(task));
    if (targetChunk.isEmpty()) {
      return Optional.empty();
    }
    Summary summary = on(TARGET, () -> summaryOf(t, task));
    if (summary.statements() != 1) {
      return Optional.empty();
    }
    List<Task> companions =
        on(TARGET, () -> TaskStore.claimVerifyCompanions(t, targetInfo.layout(), task, exclude));
    List<Task> tasks = new ArrayList<>(List.of(task));
    List<String> targets = new ArrayList<>(List.of(targetChunk.get().qname()));
    for (Task c : companions) {
      if (c.target().chunkMatches() == 1 && c.target().chunk().isPresent()) {
        tasks.add(c);
        targets.add(c.target().chunk().get().qname());
      }
    }
    if (tasks.size() == 1) {
      return Optional.empty();
    }
    List<List<String>> sourceValues;
    try {
      sourceValues =
          on(SOURCE, () -> summary.runEach(s, tasks.stream().map(Task::chunkQname).toList()));
    } catch (SQLException e) {
      LOG.debug("verifying {} chunks one by one: {}", tasks.size(), e.getMessage());
      return Optional.empty();
    }
    List<List<String>> targetValues;
    savepoint(t, "SAVEPOINT backfill_verify_batch");
    try {
      targetValues = on(TARGET, () -> summary.runEach(t, targets));
    } catch (SQLException e) {
      LOG.debug("verifying {} chunks one by one: {}", tasks.size(), e.getMessage());
      savepoint(t, "ROLLBACK TO SAVEPOINT backfill_verify_batch");
      return Optional.empty();
    }
    List<Also> also = new ArrayList<>();
    for (int i = 1; i < tasks.size(); i++) {
      LOG.debug("verifying rows of chunk {} against {}", tasks.get(i).chunkQname(), targets.get(i));
      also.add(
          new Also(
              tasks.get(i),
              compared(
                  tasks.get(i),
                  summary,
                  sourceValues.get(i),
                  targetValues.get(i),
                  targets.get(i),
                  CopyPath.DIRECT)));
    }
    Done first =
        compared(
            task,
            summary,
            sourceValues.get(0),
            targetValues.get(0),
            targets.get(0),
            CopyPath.DIRECT);
    return Optional.of(first.withAlso(also));
  }

  private static void savepoint(Connection t, String sql) throws SQLException {
    on(
        TARGET,
        () -> {
          Jdbc.execute(t, sql);
          return null;
        });
  }

  /** The outcome of comparing the two summaries of a task's rows. */
  private static Done compared(
      Task task,
      Summary summary,
      List<String> sourceValues,
      List<String> targetValues,
      String destination,
      CopyPath path) {
    List<String> differences = Comparison.differences(summary, sourceValues, targetValues);
    long rows = Long.parseLong(sourceValues.get(0));
    if (!differences.isEmpty()) {
      return different(
          task,
          destination,
          path,
          differences.size()
              + " difference"
              + (differences.size() == 1 ? "" : "s")
              + " from "
              + Ident.display(destination),
          differences);
    }
    String message = "verified " + rows + " rows against " + Ident.display(destination);
    return new Done(
        Outcome.VERIFIED,
        destination,
        path,
        rows,
        0,
        message,
        List.of(),
        TaskStore.markVerified(task.priority(), message),
        List.of());
  }

  /**
   * The summary of the target hypertable's columns, read once per run and hypertable: its chunks
   * have the same columns, and the source chunk is summarised over the same ones.
   */
  private Summary summaryOf(Connection t, Task task) throws SQLException {
    String key = task.targetHypertableQname();
    Summary known = summaries.get(key);
    if (known == null) {
      known = Summary.forRelation(t, task.targetHypertableSchema(), task.targetHypertableName());
      summaries.put(key, known);
    }
    return known;
  }

  /**
   * The summary of the source chunk; empty when the chunk no longer exists. With {@code checks},
   * the same statement also reads the chunk's CHECK constraints into it (the routed path). One
   * statement in autocommit, its own snapshot; a summary too wide for one statement runs its
   * statements in one transaction, so that they read the same rows.
   */
  private Optional<List<String>> sourceSummary(
      Connection s, Task task, Summary summary, String where, List<String> checks)
      throws SQLException {
    boolean split = summary.statements() > 1;
    try {
      if (split) {
        s.setAutoCommit(false);
      }
      List<String> values =
          checks == null
              ? summary.run(s, task.chunkQname() + where)
              : summary.run(
                  s,
                  task.chunkQname() + where,
                  new Summary.Extra(
                      "ARRAY(" + sourceInfo.layout().sql("catalog/chunk-predicate") + "\n)",
                      task.chunkSchema(),
                      task.chunkName()),
                  checks);
      if (split) {
        s.commit();
      }
      return Optional.of(values);
    } catch (SQLException e) {
      if (split) {
        s.rollback();
      }
      if (UNDEFINED_TABLE.equals(e.getSQLState()) && !sourceChunkExists(s, task)) {
        return Optional.empty();
      }
      throw e;
    } finally {
      if (split) {
        s.setAutoCommit(true);
      }
    }
  }

  private boolean sourceChunkExists(Connection s, Task task) throws SQLException {
    return on(
        SOURCE,
        () -> Catalog.chunkExists(s, sourceInfo.layout(), task.chunkSchema(), task.chunkName()));
  }

  private static Done sourceChunkGone(Task task) {
    return different(task, null, null, "the source chunk no longer exists", List.of());
  }

  private static Done different(
      Task task, String destination, CopyPath path, String message, List<String> details) {
    String full = details.isEmpty() ? message : message + ": " + String.join("; ", details);
    return new Done(
        Outcome.DIFFERENT,
        destination,
        path,
        0,
        0,
        message,
        details,
        TaskStore.verifyFailed(task.priority(), full, null),
        List.of());
  }

  @Override
  public long remaining(Connection t) throws SQLException {
    return TaskStore.countVerifyPending(t).tasks();
  }

  @Override
  public void recordFailure(Connection t, Task task, String message, String sqlState)
      throws SQLException {
    TaskStore.markVerifyFailed(t, task.priority(), message, sqlState);
  }
}
