package io.tsbackfill.copy;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.db.Sql;
import io.tsbackfill.task.Task;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast direct path on targets with the Timescale License: a whole chunk is loaded into a new
 * table without indexes, which then replaces the target chunk through {@code create_chunk(...,
 * chunk_table)}; TimescaleDB builds the hypertable's indexes, constraints and triggers on it once,
 * after the load, instead of maintaining every index row by row. Load, drop of the old chunk and
 * attach all happen in the chunk's transaction, so nobody sees the chunk missing or half loaded,
 * and a rollback leaves the old chunk as it was. The old chunk is locked ACCESS EXCLUSIVE only from
 * its drop to the commit, not during the transfer nor (from TimescaleDB 2.22) the index build.
 *
 * <p>Not used (the chunk is loaded into its indexed table as before) when a bound cuts the chunk
 * (its rows beyond the bound must stay, and the application may be writing there), the source or
 * target chunk is compressed, a continuous aggregate reads the hypertable (dropping the chunk would
 * log an invalidation of its range), a view, foreign key or child table depends on the chunk, the
 * target's create_chunk takes no table, or {@code --attach off}.
 */
final class AttachLoader {
  private static final Logger LOG = LoggerFactory.getLogger(AttachLoader.class);
  private static final Pattern RELOPTION =
      Pattern.compile("([a-z_][a-z0-9_.]*)=(.*)", Pattern.DOTALL);

  /** The target chunk to replace and the table its rows are loaded into first. */
  record Prepared(String chunk, String loadTable) {}

  /**
   * The first key of the advisory lock (the second: the hypertable's oid) that a worker takes,
   * until its transaction ends, before it drops a chunk and attaches the loaded table:
   * TimescaleDB's chunk-creation lock, which create_chunk takes and the transaction holds until it
   * commits, admits one session at a time, and each session queued for it makes every later one
   * wait too. Queued on this lock instead, the workers' attaches to one hypertable still pass one
   * at a time, but at most one worker waits in TimescaleDB's queue, so an application creating a
   * chunk meanwhile waits for one attach at most, and workers never wait for each other's attach
   * under the lock timeout. ("bfat")
   */
  static final int ATTACH_LOCK_CLASS = 0x62666174;

  private final TimescaleInfo targetInfo;
  private final Locks locks;
  private final boolean enabled;

  /** Whether the target's create_chunk adopts matching indexes; null until first asked. */
  private volatile Boolean adoptsIndexes;

  AttachLoader(TimescaleInfo targetInfo, Locks locks, boolean enabled) {
    this.targetInfo = targetInfo;
    this.locks = locks;
    this.enabled =
        enabled && targetInfo.hasTimescaleLicense() && targetInfo.createChunkTakesTable();
  }

  /**
   * Whether this task's rows can be loaded by attaching, checked on the target in the chunk's
   * transaction; if so, creates the table to load them into (like the hypertable, with the target
   * chunk's tablespace and storage options, without indexes).
   */
  Optional<Prepared> prepare(
      Connection t, Task task, ChunkName targetChunk, boolean sourceCompressed)
      throws SQLException {
    if (!enabled || task.filter() != null || sourceCompressed) {
      return Optional.empty();
    }
    String chunk = targetChunk.qname();
    Optional<String> obstacle =
        Jdbc.queryOne(
            t,
            targetInfo.layout().sql("copy/attach-obstacle"),
            rs -> rs.getString(1),
            targetChunk.schema(),
            targetChunk.table(),
            targetChunk.schema(),
            targetChunk.table());
    if (obstacle.isPresent()) {
      LOG.debug("loading {} into its indexed table: {}", chunk, obstacle.get());
      return Optional.empty();
    }
    String loadTable = Ident.qname(targetChunk.schema(), loadName(task));
    String like =
        "LIKE "
            + task.targetHypertableQname()
            + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING STATISTICS"
            + " INCLUDING GENERATED"
            + (targetInfo.serverVersionNum() >= 140000 ? " INCLUDING COMPRESSION" : "");
    String tablespace =
        Jdbc.queryOne(
                t,
                "SELECT ts.spcname FROM pg_class c JOIN pg_tablespace ts ON ts.oid = c.reltablespace"
                    + " WHERE c.oid = ?::regclass",
                rs -> rs.getString(1),
                chunk)
            .orElse(null);
    Jdbc.execute(
        t,
        "CREATE TABLE "
            + loadTable
            + " ("
            + like
            + ")"
            + (tablespace == null ? "" : " TABLESPACE " + Ident.quote(tablespace)));
    for (String option :
        Jdbc.query(
            t,
            "SELECT unnest(reloptions) FROM pg_class WHERE oid = ?::regclass",
            rs -> rs.getString(1),
            chunk)) {
      var m = RELOPTION.matcher(option);
      if (m.matches()) {
        Jdbc.execute(
            t,
            "ALTER TABLE "
                + loadTable
                + " SET ("
                + m.group(1)
                + " = "
                + Ident.literal(m.group(2))
                + ")");
      }
    }
    return Optional.of(new Prepared(chunk, loadTable));
  }

  /**
   * Replaces the target chunk with the loaded table: builds on it the chunk's indexes and key
   * constraints that create_chunk adopts (where it does), waits for the other workers' attaches to
   * this hypertable (see {@link #ATTACH_LOCK_CLASS}), locks the chunk (under the lock timeout),
   * notes its grants and owner, drops it (its rows, if any, go as the direct path's delete of a
   * whole chunk takes them), gives what was built the chunk's names, attaches the table under the
   * chunk's name and slices, and gives it the grants and owner back.
   *
   * <p>create_chunk takes TimescaleDB's chunk-creation lock on the hypertable, which the
   * transaction then holds until it commits, and builds every index the table lacks under it: the
   * workers' own attaches and an application creating a chunk wait for that. From TimescaleDB 2.22
   * create_chunk adopts an index, primary key or unique constraint that matches the hypertable's
   * instead of building another, so those are built first, while the old chunk still serves
   * readers; what remains under the lock is a check of the rows against the chunk's slices, the
   * catalog and the commit. Before 2.22 it builds them all itself (one built first would be a
   * second one).
   */
  void attach(Connection t, Task task, ChunkName targetChunk, Prepared p) throws SQLException {
    List<String> renames = buildIndexes(t, task, p);
    Jdbc.queryOne(
        t,
        "SELECT pg_advisory_xact_lock(?, ?::regclass::oid::int)",
        rs -> 1,
        ATTACH_LOCK_CLASS,
        task.targetHypertableQname());
    locks.execute(
        t,
        "lock target chunk " + Ident.display(p.chunk()) + " to replace it",
        "LOCK TABLE " + p.chunk() + " IN ACCESS EXCLUSIVE MODE");
    List<String> restore =
        Jdbc.query(t, Sql.load("copy/attach-restore"), rs -> rs.getString(1), p.chunk(), p.chunk());
    List<String> drop = new ArrayList<>();
    drop.add("DROP TABLE " + p.chunk());
    drop.addAll(renames);
    Jdbc.execute(t, String.join("; ", drop));
    try {
      locks.run(
          t,
          "attach the loaded table as chunk " + Ident.display(p.chunk()),
          () ->
              Jdbc.queryOne(
                  t,
                  "SELECT "
                      + Ident.quote(targetInfo.procSchema())
                      + ".create_chunk(?::regclass, ?::jsonb, ?, ?, ?::regclass)",
                  rs -> 1,
                  task.targetHypertableQname(),
                  Catalog.createChunkSlices(task.slices()),
                  targetChunk.schema(),
                  targetChunk.table(),
                  p.loadTable()));
    } catch (Locks.LockTimeout e) {
      throw e; // transient: the chunk is retried
    } catch (SQLException e) {
      throw new SQLException(
          "TimescaleDB refused to attach the loaded table as chunk "
              + p.chunk()
              + " ("
              + e.getMessage()
              + "); the chunk is rolled back. copy --attach off (BACKFILL_ATTACH=off) copies into"
              + " the indexed chunk instead",
          e.getSQLState(),
          e);
    }
    for (String statement : restore) {
      Jdbc.execute(t, statement);
    }
    LOG.debug("loaded {} without indexes and attached it as {}", task.chunkQname(), p.chunk());
  }

  /**
   * Builds on the load table the target chunk's indexes and key constraints that create_chunk
   * adopts, under temporary names; answers the statements that give them the chunk's names once it
   * is dropped. None where create_chunk adopts no index: before TimescaleDB 2.22, recognised by its
   * lack of the function that compares a chunk's index with the hypertable's.
   */
  private List<String> buildIndexes(Connection t, Task task, Prepared p) throws SQLException {
    Boolean adopts = adoptsIndexes;
    if (adopts == null) {
      adopts =
          Jdbc.queryOne(
                  t,
                  "SELECT to_regprocedure(?) IS NOT NULL",
                  rs -> rs.getBoolean(1),
                  Ident.quote(targetInfo.procSchema()) + ".index_matches(regclass, regclass)")
              .orElse(false);
      adoptsIndexes = adopts;
    }
    if (!adopts) {
      return List.of();
    }
    record Index(String create, String rename) {}
    List<Index> indexes =
        Jdbc.query(
            t,
            targetInfo.layout().sql("copy/attach-indexes"),
            rs -> new Index(rs.getString(1), rs.getString(2)),
            p.loadTable(),
            loadName(task),
            p.chunk(),
            task.targetHypertableQname());
    if (!indexes.isEmpty()) {
      Jdbc.execute(t, String.join("; ", indexes.stream().map(Index::create).toList()));
    }
    return indexes.stream().map(Index::rename).toList();
  }

  private static String loadName(Task task) {
    return "bf_load_" + task.priority();
  }
}
