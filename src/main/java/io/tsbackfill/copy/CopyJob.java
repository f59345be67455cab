package io.tsbackfill.copy;

import io.tsbackfill.cagg.InvalidationCarrier;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.CatalogLayout;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.catalog.VersionCheck;
import io.tsbackfill.config.CopySettings;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Locks;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SideFailure;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.report.Units;
import io.tsbackfill.task.CarriedInvalidations;
import io.tsbackfill.task.Task;
import io.tsbackfill.task.TaskStore;
import io.tsbackfill.work.ChunkReport.Outcome;
import io.tsbackfill.work.StandbyLag;
import io.tsbackfill.work.TaskJob;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code copy} job: per chunk, delete the target rows of its range, stream the source rows in
 * and mark the task copied, all in the one target transaction the engine commits; then ANALYZE the
 * chunk (the {@link Analyzer}, while the next chunks copy).
 */
public final class CopyJob implements TaskJob {
  private static final Logger LOG = LoggerFactory.getLogger(CopyJob.class);
  private final Throttle throttle;
  private final CopySettings settings;
  private final Duration standbyWait;
  private final Map<Long, Analyzer.Target> toAnalyze = new ConcurrentHashMap<>();
  private ChunkCopier copier;
  private Analyzer analyzer;
  private InvalidationCarrier carrier;
  private SourceSnapshot snapshot;
  private CatalogLayout targetLayout;

  /**
   * A copy job reading at most {@code throttle} allows, as {@code settings} say; with a hot standby
   * as the source it waits up to {@code standbyWait} for the standby to replay past the staged
   * {@code --until}.
   */
  public CopyJob(Throttle throttle, CopySettings settings, Duration standbyWait) {
    this.throttle = throttle;
    this.settings = settings;
    this.standbyWait = standbyWait;
  }

  @Override
  public String verb() {
    return "copy";
  }

  @Override
  public int inFlightKey() {
    return TaskStore.COPY_LOCK;
  }

  @Override
  public Pending prepare(Database source, Database target, int workers, BooleanSupplier stopping) {
    TimescaleInfo sInfo;
    TimescaleInfo tInfo;
    TaskStore.PendingCount pending;
    TaskStore.ReplayNeed need;
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
      TaskStore.upgrade(t);
      pending = TaskStore.countCopyPending(t);
      need = TaskStore.replayNeeded(t, true);
    } catch (SQLException e) {
      throw target.error("reading the task list", e);
    }
    if (pending.tasks() == 0) {
      // Not an error: a script that resumes a backfill can run copy until it says this.
      return new Pending(
          0, 0, "every staged chunk is copied ('stage' adds chunks, 'requeue' puts them back)");
    }
    // Before anything reads rows from a standby: it must hold every row below the cut-over.
    snapshot =
        StandbyLag.prepare(
            source,
            new StandbyLag.Need(need.until(), need.unjudged(), "pending chunks have"),
            standbyWait,
            stopping);
    carrier = prepareCarrier(source, target, sInfo, tInfo);
    Locks locks = new Locks(target.spec(), settings.lockTimeout());
    OptionalLong createFrom = ChunkCreator.minBytes(settings.createChunks());
    if (workers > 1 && !tInfo.hasTimescaleLicense() && createFrom.isPresent()) {
      long started = System.nanoTime();
      int created =
          ChunkCreator.createMissing(
              source,
              target,
              sInfo,
              tInfo,
              locks,
              throttle,
              workers,
              createFrom.getAsLong(),
              stopping);
      if (created > 0) {
        LOG.info(
            "created {} missing target chunk{} in {}",
            created,
            created == 1 ? "" : "s",
            Units.duration(Duration.ofNanos(System.nanoTime() - started)));
      }
    }
    RowOrder rowOrder = new RowOrder(settings.rowOrder(), sInfo.serverVersionNum());
    copier = new ChunkCopier(sInfo, tInfo, throttle, locks, rowOrder, settings.attach());
    targetLayout = tInfo.layout();
    analyzer = new Analyzer(target.spec());
    return new Pending(pending.tasks(), pending.bytes());
  }

  /**
   * The carrier of the source's pending cagg invalidations (see {@link InvalidationCarrier}), with
   * its table on the target; warns about staged hypertables whose copied rows the target will log
   * as invalidations all the same.
   */
  private static InvalidationCarrier prepareCarrier(
      Database source, Database target, TimescaleInfo sInfo, TimescaleInfo tInfo) {
    InvalidationCarrier carrier;
    try (Connection s = source.connect()) {
      carrier = InvalidationCarrier.prepare(s, sInfo);
    } catch (SQLException e) {
      throw source.error("reading the continuous aggregates", e);
    }
    try (Connection t = target.connect()) {
      if (carrier.any()) {
        CarriedInvalidations.ensureTable(t);
      }
      InvalidationCarrier.missingWalSlot(t, tInfo)
          .ifPresent(why -> LOG.warn("the target: {}", why));
      for (String why : InvalidationCarrier.unsuppressed(t, tInfo)) {
        LOG.warn(
            "the target logs the copied rows of {}, so its refresh policies will re-materialize"
                + " them once",
            why);
      }
    } catch (SQLException e) {
      throw target.error("preparing to carry continuous-aggregate invalidations", e);
    }
    return carrier;
  }

  @Override
  public void sourceOpened(Connection s) throws SQLException {
    snapshot.session(s);
  }

  @Override
  public Optional<Task> claimNext(Connection t, Collection<Long> exclude) throws SQLException {
    return TaskStore.claimNextCopyTask(t, targetLayout, exclude);
  }

  @Override
  public Optional<Task> claimAgain(Connection t, long priority) throws SQLException {
    return TaskStore.claimCopyTaskAgain(t, targetLayout, priority);
  }

  @Override
  public Done process(Task task, Connection s, Connection t) throws SQLException {
    ChunkCopier.Copied c = copier.copy(task, s, t);
    if (!c.skipped() && carrier.carriesFor(task)) {
      // Read in the chunk's own source snapshot, written in its target transaction: the copied
      // rows and the knowledge of which of them are stale commit together or not at all.
      List<CarriedInvalidations.Range> stale =
          SideFailure.on(Side.SOURCE, () -> carrier.pending(s, task));
      SideFailure.on(
          Side.TARGET,
          () -> {
            CarriedInvalidations.replace(t, task, stale);
            return null;
          });
    }
    if (c.analyze() != null) {
      toAnalyze.put(task.priority(), c.analyze());
    } else {
      toAnalyze.remove(task.priority());
    }
    String message =
        c.skipped()
            ? "skipped: the source chunk no longer exists"
            : "copied "
                + c.rows()
                + " rows ("
                + c.bytes()
                + " bytes of COPY data) into "
                + Ident.display(c.destination())
                + " ("
                + c.path().column()
                + ")";
    return new Done(
        c.skipped() ? Outcome.SKIPPED : Outcome.COPIED,
        c.destination(),
        c.path(),
        c.rows(),
        c.bytes(),
        message,
        List.of(),
        TaskStore.markCopied(task.priority(), message, c.path(), c.rows(), c.bytes()),
        List.of());
  }

  @Override
  public void committed(Task task) {
    Analyzer.Target chunk = toAnalyze.remove(task.priority());
    if (chunk != null) {
      analyzer.analyze(chunk);
    }
  }

  @Override
  public void finish(BooleanSupplier stopNow) {
    if (analyzer != null) {
      analyzer.finish(stopNow);
    }
  }

  @Override
  public long remaining(Connection t) throws SQLException {
    return TaskStore.countCopyPending(t).tasks();
  }

  @Override
  public void recordFailure(Connection t, Task task, String message, String sqlState)
      throws SQLException {
    TaskStore.markCopyFailed(t, task.priority(), message, sqlState);
  }
}
