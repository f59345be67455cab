package io.tsbackfill.verify;

import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.CopyPath;
import io.tsbackfill.task.Task;
import io.tsbackfill.task.TaskStore;
import io.tsbackfill.work.ChunkReport.Outcome;
import io.tsbackfill.work.StandbyLag;
import io.tsbackfill.work.TaskJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code verify} job: per copied task, the same summary (row count; per column non-NULL count,
 * min, max, sum) over the source chunk and over its rows on the target, restricted to the task's
 * range filter, compared exactly (floats within a rounding tolerance). The source is read in one
 * read-only snapshot ({@link SourceSnapshot}) that never blocks the application.
 */
public final class VerifyJob implements TaskJob {
  private static final Logger LOG = LoggerFactory.getLogger(VerifyJob.class);
  private volatile long notCopied;
  private TimescaleInfo sourceInfo;
  private TimescaleInfo targetInfo;
  private final Duration standbyWait;
  private SourceSnapshot snapshot = SourceSnapshot.PRIMARY;

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
  public Optional<Task> claimNext(Connection t, Collection<Long> exclude) throws SQLException {
    return TaskStore.claimNextVerifyTask(t, exclude);
  }

  @Override
  public Optional<Task> claimAgain(Connection t, long priority) throws SQLException {
    return TaskStore.claimVerifyTaskAgain(t, priority);
  }

  @Override
  public Done process(Task task, Connection s, Connection t) throws SQLException {
    on(
        SOURCE,
        () -> {
          snapshot.begin(s);
          return null;
        });
    String where = task.filter() == null ? "" : " WHERE " + task.filter();
    if (!on(
        SOURCE,
        () -> Catalog.chunkExists(s, sourceInfo.layout(), task.chunkSchema(), task.chunkName()))) {
      return different(t, task, null, null, "the source chunk no longer exists", List.of());
    }
    Optional<ChunkName> targetChunk =
        on(
            TARGET,
            () ->
                Catalog.findChunk(
                    t,
                    targetInfo.layout(),
                    task.targetHypertableSchema(),
                    task.targetHypertableName(),
                    task.slices()));
    String targetFrom;
    String destination;
    CopyPath path;
    Summary summary;
    if (targetChunk.isPresent()) {
      destination = targetChunk.get().qname();
      path = CopyPath.DIRECT;
      // Not ONLY: on a compressed chunk ONLY reads just its uncompressed heap, and TimescaleDB
      // returns the compressed batches decompressed only to a plain read of the chunk.
      targetFrom = destination + where;
      summary =
          on(
              TARGET,
              () -> Summary.forRelation(t, targetChunk.get().schema(), targetChunk.get().table()));
    } else {
      Optional<CopyPath> copied = on(TARGET, () -> TaskStore.copyPath(t, task.priority()));
      boolean hypertable =
          on(
              TARGET,
              () ->
                  Catalog.isHypertable(
                      t, task.targetHypertableSchema(), task.targetHypertableName()));
      if (copied.equals(Optional.of(CopyPath.DIRECT)) || !hypertable) {
        return different(
            t,
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
      // hypertable, restricted exactly as copy's delete was.
      String inChunk =
          on(
              SOURCE,
              () ->
                  Catalog.chunkPredicate(
                      s, sourceInfo.layout(), task.chunkSchema(), task.chunkName()));
      destination = task.targetHypertableQname();
      path = CopyPath.ROUTED;
      targetFrom = destination + " WHERE " + task.rowsOfChunk(inChunk);
      summary =
          on(
              TARGET,
              () ->
                  Summary.forRelation(
                      t, task.targetHypertableSchema(), task.targetHypertableName()));
    }
    LOG.debug("verifying rows of chunk {} against {}", task.chunkQname(), destination);
    List<String> sourceValues = on(SOURCE, () -> summary.run(s, task.chunkQname() + where));
    List<String> targetValues = on(TARGET, () -> summary.run(t, targetFrom));
    List<String> differences = Comparison.differences(summary, sourceValues, targetValues);
    long rows = Long.parseLong(sourceValues.get(0));
    if (!differences.isEmpty()) {
      return different(
          t,
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
    on(
        TARGET,
        () -> {
          TaskStore.markVerified(t, task.priority(), message);
          return null;
        });
    return new Done(Outcome.VERIFIED, destination, path, rows, 0, message, List.of());
  }

  private static Done different(
      Connection t,
      Task task,
      String destination,
      CopyPath path,
      String message,
      List<String> details)
      throws SQLException {
    String full = details.isEmpty() ? message : message + ": " + String.join("; ", details);
    on(
        TARGET,
        () -> {
          TaskStore.markVerifyFailed(t, task.priority(), full, null);
          return null;
        });
    return new Done(Outcome.DIFFERENT, destination, path, 0, 0, message, details);
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
