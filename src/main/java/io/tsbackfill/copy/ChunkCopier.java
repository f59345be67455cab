package io.tsbackfill.copy;

import io.tsbackfill.cagg.InvalidationCarrier;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkSpan;
import io.tsbackfill.catalog.CopyColumn;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.task.Task;
import io.tsbackfill.work.Throttle;
import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one staged chunk inside the caller's open source and target transactions. Chooses the
 * write path: <em>direct</em> into the target chunk with identical slices, or <em>routed</em>
 * through the target hypertable when there is none (Apache-licensed targets cannot create chunks
 * by slices; targets may have other chunk intervals). Either way, first deletes exactly the target
 * rows of the chunk's range, so copying a chunk again gives the same result.
 */
final class ChunkCopier {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkCopier.class);
  static final String INVALIDATION_TRIGGER = InvalidationCarrier.INVALIDATION_TRIGGER;

  /**
   * The result of one chunk inside its transactions (not yet committed); {@code analyze} is the
   * target chunk to ANALYZE once they commit (null: none found, e.g. routed into other chunks).
   */
  record Copied(
      String path, String destination, long rows, long bytes, boolean skipped, String analyze) {}

  private final TimescaleInfo sourceInfo;
  private final TimescaleInfo targetInfo;
  private final Throttle throttle;
  private final CompressedChunkCopier compressed;
  private final AttachLoader attach;
  private final Locks locks;
  private final RowOrder rowOrder;

  ChunkCopier(
      TimescaleInfo sourceInfo,
      TimescaleInfo targetInfo,
      Throttle throttle,
      Locks locks,
      RowOrder rowOrder,
      boolean attach) {
    this.sourceInfo = sourceInfo;
    this.targetInfo = targetInfo;
    this.rowOrder = rowOrder;
    this.throttle = throttle;
    this.locks = locks;
    this.compressed = new CompressedChunkCopier(sourceInfo, targetInfo, throttle);
    this.attach = new AttachLoader(targetInfo, locks, attach);
  }

  Copied copy(Task task, Connection s, Connection t) throws SQLException {
    on(SOURCE, () -> {
      Jdbc.execute(s, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
      return null;
    });
    if (!on(SOURCE, () -> Catalog.chunkExists(s, sourceInfo.layout(), task.chunkSchema(), task.chunkName()))) {
      return new Copied("skipped", null, 0, 0, true, null);
    }
    if (targetInfo.layout().hasSkipCaggInvalidation()) {
      // TimescaleDB's own switch for bulk loads: nothing this transaction writes or deletes is
      // logged as a cagg invalidation, without the trigger's lock (see suppressInvalidations).
      on(TARGET, () -> {
        Jdbc.execute(t, "SET LOCAL timescaledb.skip_cagg_invalidation = on");
        return null;
      });
    }
    List<CopyColumn> columns =
        on(SOURCE, () -> Catalog.copyColumns(s, task.hypertableSchema(), task.hypertableName()));
    boolean binary = CopyColumn.allBinary(columns);
    if (!binary) {
      LOG.warn(
          "{} has column types without binary I/O; copying {} in text format",
          Ident.display(task.hypertableQname()),
          task.label().text());
    }
    String columnList = CopyColumn.quotedList(columns);
    Optional<String[]> targetChunk =
        on(
            TARGET,
            () ->
                Catalog.findChunk(
                    t, targetInfo.layout(), task.targetHypertableSchema(), task.targetHypertableName(), task.slices()));

    CompressedChunkCopier.Compression srcState =
        on(SOURCE, () -> CompressedChunkCopier.state(s, sourceInfo.layout(), task.chunkSchema(), task.chunkName()))
            .orElseThrow();
    Optional<CompressedChunkCopier.Compression> tgtState =
        targetChunk.isPresent()
            ? on(
                TARGET,
                () -> CompressedChunkCopier.state(t, targetInfo.layout(), targetChunk.get()[0], targetChunk.get()[1]))
            : Optional.empty();
    boolean tgtCompressed = tgtState.map(CompressedChunkCopier.Compression::compressed).orElse(false);
    Optional<String> noBatches = Optional.empty();
    if (srcState.compressed()) {
      noBatches =
          task.filter() != null
              ? Optional.of("--until/--from falls inside it")
              : targetChunk.isEmpty()
                  ? Optional.of("the target has no chunk with the same slices")
                  : compressed.unsupportedReason();
    }
    if (srcState.compressed() && noBatches.isEmpty()) {
      return copyWithBatches(task, s, t, targetChunk.get(), srcState, columns, binary, columnList);
    }
    if (srcState.compressed() && task.filter() != null) {
      LOG.info(
          "{} is compressed; copying its rows decompressed because {}",
          task.label().text(),
          noBatches.get());
    } else if (srcState.compressed()) {
      // Correct but not what was asked for: the rows arrive, not the compressed batches.
      LOG.warn(
          "cannot copy the compressed batches of {}: {}; copying its rows decompressed instead",
          task.label().text(),
          noBatches.get());
    }

    Optional<AttachLoader.Prepared> attached =
        targetChunk.isPresent() && !tgtCompressed
            ? on(TARGET, () -> attach.prepare(t, task, targetChunk.get(), srcState.compressed()))
            : Optional.empty();
    if (attached.isPresent()) {
      return loadAndAttach(task, s, t, targetChunk.get(), attached.get(), columnList, binary);
    }

    String path;
    String destination;
    List<String> deletes;
    boolean recompress = false;
    if (targetChunk.isPresent()) {
      path = "direct";
      destination = Ident.qname(targetChunk.get()[0], targetChunk.get()[1]);
      deletes =
          List.of(
              "DELETE FROM ONLY "
                  + destination
                  + (task.filter() == null ? "" : " WHERE " + task.filter()));
      if (tgtCompressed) {
        // Rows cannot be replaced inside compressed batches in place: decompress the target
        // chunk; compress it again afterwards when it holds rows beyond this copy's range or the
        // source chunk is compressed too.
        recompress = task.filter() != null || srcState.compressed();
        if (task.filter() != null) {
          LOG.warn(
              "a bound falls inside compressed target chunk {} (source {}): decompressing it"
                  + " for the copy, compressing it again afterwards",
              Ident.display(destination),
              task.label().text());
        } else {
          LOG.warn(
              "target chunk {} is compressed but source chunk {} is not: decompressing it",
              Ident.display(destination),
              task.label().text());
        }
        decompress(t, destination);
      }
    } else {
      path = "routed";
      destination = task.targetHypertableQname();
      String inChunk =
          on(SOURCE, () -> Catalog.chunkPredicate(s, sourceInfo.layout(), task.chunkSchema(), task.chunkName()));
      deletes =
          routedDeletes(
              task,
              s,
              t,
              " WHERE " + task.rowsOfChunk(inChunk));
    }
    List<String> recreateTriggers = on(TARGET, () -> suppressInvalidations(t, task, targetChunk));
    on(TARGET, () -> {
      for (String delete : deletes) {
        Jdbc.execute(t, delete);
      }
      return null;
    });

    // A compressed source chunk read without ONLY yields its compressed batches decompressed too.
    CopyStream.Counts counts =
        copyRows(task, s, t, destination, path, columnList, binary, !srcState.compressed(), false);

    on(TARGET, () -> {
      for (String recreate : recreateTriggers) {
        locks.execute(t, "re-create the invalidation trigger on " + Ident.display(destination), recreate);
      }
      return null;
    });
    if (recompress) {
      String chunk = destination;
      on(
          TARGET,
          () ->
              Jdbc.queryOne(
                  t,
                  "SELECT " + targetInfo.layout().function("compress_chunk") + "(?::regclass)",
                  rs -> 1,
                  chunk));
    }
    String analyze = on(TARGET, () -> landedChunk(t, task, targetChunk));
    return new Copied(path, destination, counts.rows(), counts.bytes(), false, analyze);
  }

  /**
   * A whole chunk into a new table without indexes that then replaces the target chunk (see
   * {@link AttachLoader}): no delete (the old chunk's rows go with it, as a whole chunk's delete
   * would take them), no invalidation trigger to suppress (the loader refuses chunks that have
   * one).
   */
  private Copied loadAndAttach(
      Task task,
      Connection s,
      Connection t,
      String[] targetChunk,
      AttachLoader.Prepared prepared,
      String columnList,
      boolean binary)
      throws SQLException {
    // FREEZE: the load table was created in this transaction, so its rows can be written frozen
    // and its pages all-visible. Nobody else can see them before commit, ANALYZE then dirties no
    // page setting hint bits, and vacuum never has to rewrite the backfilled history to freeze it.
    CopyStream.Counts counts =
        copyRows(task, s, t, prepared.loadTable(), "direct", columnList, binary, true, true);
    on(TARGET, () -> {
      attach.attach(t, task, targetChunk, prepared);
      return null;
    });
    return new Copied(
        "direct", prepared.chunk(), counts.rows(), counts.bytes(), false, prepared.chunk());
  }

  /**
   * A whole compressed source chunk into an identical target chunk: its compressed batches as
   * they are (replacing the target's), then its uncompressed rows, if any. Those go through the
   * target hypertable when the target chunk is compressed but not yet partial, so TimescaleDB
   * marks it partially compressed itself (the tool never writes the chunk status).
   */
  private Copied copyWithBatches(
      Task task,
      Connection s,
      Connection t,
      String[] targetChunk,
      CompressedChunkCopier.Compression srcState,
      List<CopyColumn> columns,
      boolean binary,
      String columnList)
      throws SQLException {
    String tc = Ident.qname(targetChunk[0], targetChunk[1]);
    List<String> recreateTriggers =
        on(TARGET, () -> suppressInvalidations(t, task, Optional.of(targetChunk)));
    CompressedChunkCopier.Counts batches = compressed.copyBatches(task, s, t, targetChunk, srcState);
    boolean hasRows =
        on(
            SOURCE,
            () ->
                Jdbc.queryOne(
                        s,
                        "SELECT EXISTS (SELECT 1 FROM ONLY " + task.chunkQname() + ")",
                        rs -> rs.getBoolean(1))
                    .orElse(false));
    long rows = batches.rows();
    long bytes = batches.bytes();
    if (hasRows) {
      CompressedChunkCopier.Compression now =
          on(TARGET, () -> CompressedChunkCopier.state(t, targetInfo.layout(), targetChunk[0], targetChunk[1]))
              .orElseThrow();
      String destination = tc;
      if (now.compressed() && !now.partial()) {
        LOG.warn(
            "{} is partially compressed: writing its uncompressed rows through {} so that"
                + " TimescaleDB marks {} partially compressed",
            task.label().text(),
            Ident.display(task.targetHypertableQname()),
            Ident.display(tc));
        destination = task.targetHypertableQname();
      }
      CopyStream.Counts counts =
          copyRows(task, s, t, destination, "direct", columnList, binary, true, false);
      rows += counts.rows();
      bytes += counts.bytes();
    }
    on(TARGET, () -> {
      for (String recreate : recreateTriggers) {
        Jdbc.execute(t, recreate);
      }
      return null;
    });
    return new Copied("direct", tc, rows, bytes, false, tc);
  }

  /** {@code freeze}: COPY FREEZE, for a destination created in this transaction only. */
  private CopyStream.Counts copyRows(
      Task task,
      Connection s,
      Connection t,
      String destination,
      String path,
      String columnList,
      boolean binary,
      boolean only,
      boolean freeze)
      throws SQLException {
    String format = binary ? " (FORMAT binary)" : "";
    String inFormat =
        freeze ? (binary ? " (FORMAT binary, FREEZE)" : " (FREEZE)") : format;
    String select =
        "SELECT "
            + columnList
            + " FROM "
            + (only ? "ONLY " : "")
            + task.chunkQname()
            + (task.filter() == null ? "" : " WHERE " + task.filter());
    String copyIn = "COPY " + destination + " (" + columnList + ") FROM STDIN" + inFormat;
    // Not for a table loaded before its indexes exist (freeze), nor for a compressed chunk's
    // rows read decompressed (their order is not the chunk table's).
    if (only && !freeze && rowOrder.lastFirst(t, task)) {
      long blocks = on(SOURCE, () -> Catalog.blocks(s, task.chunkSchema(), task.chunkName()));
      LOG.debug(
          "copying rows of chunk {} into {} ({}), last first: {} blocks",
          task.chunkQname(),
          destination,
          path,
          blocks);
      String where = task.filter() == null ? "" : " AND (" + task.filter() + ")";
      return ReversedCopy.pipe(
          s,
          (from, to) ->
              "COPY (SELECT "
                  + columnList
                  + " FROM ONLY "
                  + task.chunkQname()
                  + " WHERE ctid >= '("
                  + from
                  + ",0)'::tid"
                  + (to < 0 ? "" : " AND ctid < '(" + to + ",0)'::tid")
                  + where
                  + ") TO STDOUT"
                  + format,
          blocks,
          binary,
          t,
          copyIn,
          throttle);
    }
    LOG.debug("copying rows of chunk {} into {} ({})", task.chunkQname(), destination, path);
    // A whole chunk table is read by COPY itself, without the executor a query goes through:
    // less CPU on the source for the same rows (COPY of a table never reads its children).
    String copyOut =
        only && task.filter() == null
            ? "COPY " + task.chunkQname() + " (" + columnList + ") TO STDOUT" + format
            : "COPY (" + select + ") TO STDOUT" + format;
    return CopyStream.pipe(s, copyOut, t, copyIn, throttle);
  }

  /**
   * The routed path's delete of the target rows of the source chunk's range ({@code where}): on
   * each target chunk whose time slice overlaps the source chunk's, the only places such rows can
   * be. A DELETE through the target hypertable is planned over all of its chunks (TimescaleDB
   * leaves out chunks that early for SELECT only): with 3000 chunks that took 95 ms of planning
   * for each chunk copied, so a fresh target's copy slowed down as it filled. It is still the one
   * statement where the chunk list could miss rows: the two hypertables' first dimensions differ
   * (their time slices would measure different things), or a chunk in range is compressed
   * (TimescaleDB deletes inside compressed batches through the hypertable).
   */
  private List<String> routedDeletes(Task task, Connection s, Connection t, String where)
      throws SQLException {
    List<String> throughHypertable = List.of("DELETE FROM " + task.targetHypertableQname() + where);
    Slice time = task.slices().get(0);
    Optional<List<String>> sourceTime =
        on(
            SOURCE,
            () -> Catalog.firstDimension(s, task.hypertableSchema(), task.hypertableName()));
    Optional<List<String>> targetTime =
        on(
            TARGET,
            () ->
                Catalog.firstDimension(
                    t, task.targetHypertableSchema(), task.targetHypertableName()));
    if (sourceTime.isEmpty()
        || !sourceTime.equals(targetTime)
        || !sourceTime.get().get(0).equals(time.column())) {
      return throughHypertable;
    }
    List<ChunkSpan> landing =
        on(
            TARGET,
            () ->
                Catalog.chunksOverlapping(
                    t,
                    targetInfo.layout(),
                    task.targetHypertableSchema(),
                    task.targetHypertableName(),
                    time.start(),
                    time.end(),
                    INVALIDATION_TRIGGER));
    if (landing.stream().anyMatch(ChunkSpan::compressed)) {
      return throughHypertable;
    }
    return landing.stream().map(c -> "DELETE FROM ONLY " + c.qname() + where).toList();
  }

  private void decompress(Connection t, String chunk) throws SQLException {
    String sql = "SELECT " + targetInfo.layout().function("decompress_chunk") + "(?::regclass)";
    on(TARGET, () -> Jdbc.queryOne(t, sql, rs -> 1, chunk));
  }

  /**
   * The target chunk the rows landed in, to ANALYZE after commit so the planner is not blind
   * after a backfill: the direct path's chunk, or the routed path's chunk with the same slices.
   */
  private String landedChunk(Connection t, Task task, Optional<String[]> targetChunk)
      throws SQLException {
    Optional<String[]> landed =
        targetChunk.isPresent()
            ? targetChunk
            : Catalog.findChunk(
                t, targetInfo.layout(), task.targetHypertableSchema(), task.targetHypertableName(), task.slices());
    return landed.map(c -> Ident.qname(c[0], c[1])).orElse(null);
  }

  /**
   * Drops the continuous-aggregate invalidation trigger wherever this chunk's delete and COPY touch
   * rows, so the backfill is not logged as cagg invalidations (TimescaleDB logs them at commit, and
   * refuses ALTER TABLE ... DISABLE TRIGGER on it). Only up to TimescaleDB 2.22, which has the
   * trigger; from 2.28 the transaction sets {@code timescaledb.skip_cagg_invalidation} instead,
   * which takes no lock; 2.23 to 2.27 log changes with no trigger and no way to skip them. Direct path: the target chunk. Routed path:
   * the existing target chunks of the source chunk's time range when they cover all of it (on a
   * one-dimensional target), otherwise the target hypertable itself: TimescaleDB drops the trigger
   * on all its chunks with it and re-creates it on all of them, including the chunks this COPY
   * creates (at the cost of locking the hypertable for the chunk's transaction). Returns the
   * statements that re-create what was dropped.
   */
  private List<String> suppressInvalidations(
      Connection t, Task task, Optional<String[]> targetChunk) throws SQLException {
    if (targetInfo.layout().hasSkipCaggInvalidation()) {
      return List.of(); // skip_cagg_invalidation is on for this transaction
    }
    if (targetChunk.isPresent()) {
      String[] chunk = targetChunk.get();
      Optional<Integer> hypertableId =
          Jdbc.queryOne(
              t,
              targetInfo
                  .layout()
                  .expand(
                      "SELECT c.hypertable_id FROM {chunk} c"
                  + " JOIN pg_trigger tg ON tg.tgrelid = to_regclass(format('%I.%I', c.schema_name,"
                  + " c.table_name)) AND tg.tgname = ?"
                  + " WHERE c.schema_name = ? AND c.table_name = ?"),
              rs -> rs.getInt(1),
              INVALIDATION_TRIGGER,
              chunk[0],
              chunk[1]);
      return hypertableId.isEmpty()
          ? List.of()
          : List.of(dropInvalidationTrigger(t, Ident.qname(chunk[0], chunk[1]), hypertableId.get()));
    }
    Optional<int[]> hypertable =
        Catalog.hypertableWithTrigger(
            t, task.targetHypertableSchema(), task.targetHypertableName(), INVALIDATION_TRIGGER);
    if (hypertable.isEmpty()) {
      return List.of(); // no continuous aggregate reads this hypertable: nothing gets logged
    }
    int hypertableId = hypertable.get()[0];
    Slice time = task.slices().get(0);
    List<ChunkSpan> landing =
        Catalog.chunksOverlapping(
            t,
            targetInfo.layout(),
            task.targetHypertableSchema(),
            task.targetHypertableName(),
            time.start(),
            time.end(),
            INVALIDATION_TRIGGER);
    List<String> recreate = new ArrayList<>();
    if (hypertable.get()[1] == 1 && covers(landing, time.start(), time.end())) {
      for (ChunkSpan c : landing) {
        if (c.hasTrigger()) {
          recreate.add(dropInvalidationTrigger(t, c.qname(), hypertableId));
        }
      }
    } else {
      LOG.debug(
          "{} may create target chunks: suppressing cagg invalidations on all of {}",
          task.chunkQname(),
          task.targetHypertableQname());
      recreate.add(dropInvalidationTrigger(t, task.targetHypertableQname(), hypertableId));
    }
    return recreate;
  }

  /** Whether the chunks' time slices, ordered by start, leave no gap in [start, end). */
  static boolean covers(List<ChunkSpan> chunks, long start, long end) {
    long reached = start;
    for (ChunkSpan c : chunks) {
      if (c.start() > reached) {
        return false;
      }
      reached = Math.max(reached, c.end());
      if (reached >= end) {
        return true;
      }
    }
    return reached >= end;
  }

  /** Drops the invalidation trigger of a chunk or hypertable; returns what re-creates it. */
  private String dropInvalidationTrigger(Connection t, String qname, int hypertableId)
      throws SQLException {
    locks.execute(
        t,
        "drop the invalidation trigger of " + Ident.display(qname),
        "DROP TRIGGER " + Ident.quote(INVALIDATION_TRIGGER) + " ON " + qname);
    return "CREATE TRIGGER "
        + Ident.quote(INVALIDATION_TRIGGER)
        + " AFTER INSERT OR UPDATE OR DELETE ON "
        + qname
        + " FOR EACH ROW EXECUTE FUNCTION "
        + Ident.quote(targetInfo.procSchema())
        + ".continuous_agg_invalidation_trigger("
        + Ident.literal(Integer.toString(hypertableId))
        + ")";
  }
}
