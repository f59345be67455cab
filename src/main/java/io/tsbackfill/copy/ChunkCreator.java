package io.tsbackfill.copy;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.CatalogLayout;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.CopyColumn;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.config.CopySettings;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.task.Task;
import io.tsbackfill.task.TaskStore;
import io.tsbackfill.work.TaskEngine;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, before the workers start, the target chunks that copies on the routed path would
 * otherwise create inside their own transactions. TimescaleDB serialises chunk creation on a
 * hypertable with a lock that the creating transaction holds until it ends, so workers that each
 * create their chunk while copying it wait for one another: on a fresh Apache-licensed target,
 * {@code copy --parallelism 2} or 8 was no faster than 1 (docs/performance.md). Such a target has
 * no function that creates a chunk by its slices, so a chunk is made the way an application makes
 * one: in a short transaction of its own, the source chunk's first row goes through the target
 * hypertable, then is deleted from the chunk TimescaleDB created for it. For a chunk not found,
 * that transaction takes the hypertable's chunk-creation lock and looks again, so no other session
 * can create that chunk or write into it meanwhile: the one row deleted is the one inserted. The
 * chunks the target has already are left out by the one query that lists the tasks, without a lock.
 * The copy then finds an identical chunk and writes into it directly, like into a chunk a schema
 * restore left. A chunk that is not made this way (the target cuts its chunks differently, a
 * trigger or constraint refuses the row) stays for the routed copy; when the lock is not had within
 * the lock timeout, so do all chunks after it.
 *
 * <p>The row's INSERT and DELETE fire the target hypertable's row triggers, as the copied rows and
 * the copy's own delete do.
 */
final class ChunkCreator {
  /**
   * In auto, smaller chunks are left to their copies: creating one beforehand costs about as much
   * as copying a chunk this small, which is all the time a copy that creates it holds TimescaleDB's
   * lock; larger chunks gain from being created first (docs/performance.md).
   */
  static final long AUTO_MIN_BYTES = 1 << 20;

  /**
   * The least source size of a chunk to create beforehand; empty when none is: auto creates the
   * missing chunks of at least {@link #AUTO_MIN_BYTES}, on every missing chunk, off none, leaving
   * each to the copy that writes into it.
   */
  static OptionalLong minBytes(CopySettings.ChunkCreation setting) {
    return switch (setting) {
      case AUTO -> OptionalLong.of(AUTO_MIN_BYTES);
      case ON -> OptionalLong.of(0);
      case OFF -> OptionalLong.empty();
    };
  }

  private static final Logger LOG = LoggerFactory.getLogger(ChunkCreator.class);

  private ChunkCreator() {}

  /**
   * Creates the missing target chunks of the pending tasks of at least {@code minBytes} on the
   * source, one transaction each, until done or {@code stopping}; answers how many it created. A
   * failure leaves that chunk to the copy. The chunks the target has are left out in one query, so
   * a schema-restored target costs no lookup per chunk.
   */
  static int createMissing(
      Database source,
      Database target,
      TimescaleInfo sInfo,
      TimescaleInfo tInfo,
      Locks locks,
      Throttle throttle,
      int workers,
      long minBytes,
      BooleanSupplier stopping) {
    List<Task> tasks;
    try (Connection t = target.connect()) {
      tasks = TaskStore.pendingCopyTasksWithoutTargetChunk(t, tInfo.layout(), minBytes);
    } catch (SQLException e) {
      throw target.error("reading the pending tasks", e);
    }
    if (tasks.isEmpty()) {
      return 0;
    }
    // Each creation is a transaction of its own: a fresh target with thousands is worth a word
    // before it starts.
    LOG.info(
        "the target has no chunk yet for {} of the pending chunks: creating {} before the {}"
            + " workers start, so that they do not wait for each other's chunk creation",
        tasks.size(),
        tasks.size() == 1 ? "it" : "them",
        workers);
    int created = 0;
    try (Connection s = source.connect();
        Connection t = target.connect()) {
      t.setAutoCommit(false);
      for (Task task : tasks) {
        if (stopping.getAsBoolean()) {
          break;
        }
        try {
          if (create(task, s, t, sInfo.layout(), tInfo.layout(), locks, throttle)) {
            t.commit();
            created++;
          } else {
            t.rollback();
          }
        } catch (Locks.LockTimeout e) {
          // Another session creates chunks of that hypertable in a long transaction (a routed
          // copy): every further task would wait as long. The copies make what is left.
          rollbackQuietly(t);
          LOG.debug("creating target chunks beforehand stopped: {}", TaskEngine.describe(e));
          break;
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(t);
          LOG.debug(
              "target chunk for {} not created beforehand, left to the copy: {}",
              task.chunkQname(),
              TaskEngine.describe(e));
          if (t.isClosed() || !t.isValid(5) || s.isClosed() || !s.isValid(5)) {
            break; // a connection is gone: the copy reconnects and reports it
          }
        }
      }
      t.setAutoCommit(true);
    } catch (SQLException e) {
      LOG.debug("creating target chunks beforehand stopped: {}", TaskEngine.describe(e));
    }
    return created;
  }

  /** One task's chunk, in the open transaction of {@code t}; true: created, to commit. */
  private static boolean create(
      Task task,
      Connection s,
      Connection t,
      CatalogLayout sourceLayout,
      CatalogLayout targetLayout,
      Locks locks,
      Throttle throttle)
      throws SQLException {
    String hypertable = task.targetHypertableQname();
    // The task was listed because its chunk was missing. The lock TimescaleDB takes to create a
    // chunk: nobody else creates this chunk, or writes into it, before this transaction ends.
    // Looked for again under it, in case another session made it since.
    locks.execute(
        t,
        "lock " + Ident.display(hypertable) + " against chunk creation",
        "LOCK TABLE " + hypertable + " IN SHARE UPDATE EXCLUSIVE MODE");
    if (findChunk(t, targetLayout, task).isPresent()
        || !Catalog.chunkExists(s, sourceLayout, task.chunkSchema(), task.chunkName())) {
      return false;
    }
    List<CopyColumn> columns =
        Catalog.copyColumns(s, task.hypertableSchema(), task.hypertableName());
    String format = CopyColumn.allBinary(columns) ? " (FORMAT binary)" : "";
    String columnList = CopyColumn.quotedList(columns);
    // Without ONLY: a compressed source chunk's rows are in its compressed chunk.
    CopyStream.Counts row =
        CopyStream.pipe(
            s,
            "COPY (SELECT "
                + columnList
                + " FROM "
                + task.chunkQname()
                + (task.filter() == null ? "" : " WHERE " + task.filter())
                + " LIMIT 1) TO STDOUT"
                + format,
            t,
            "COPY " + hypertable + " (" + columnList + ") FROM STDIN" + format,
            throttle);
    if (row.rows() != 1) {
      return false; // no row in the task's range: the copy has nothing to write either
    }
    Optional<ChunkName> chunk = findChunk(t, targetLayout, task);
    if (chunk.isEmpty()) {
      return false; // the row landed in a chunk cut otherwise: rolled back
    }
    int deleted = Jdbc.update(t, "DELETE FROM ONLY " + chunk.get().qname());
    if (deleted != 1) {
      LOG.debug(
          "new target chunk {} held {} rows instead of the one inserted: rolled back",
          chunk.get().qname(),
          deleted);
      return false;
    }
    return true;
  }

  private static Optional<ChunkName> findChunk(Connection t, CatalogLayout layout, Task task)
      throws SQLException {
    return Catalog.findChunk(
        t, layout, task.targetHypertableSchema(), task.targetHypertableName(), task.slices());
  }

  private static void rollbackQuietly(Connection t) {
    try {
      t.rollback();
    } catch (SQLException ignored) {
      // The connection is checked next.
    }
  }
}
