package io.tsbackfill.copy;

import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

import io.tsbackfill.cagg.InvalidationCarrier;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.ChunkSpan;
import io.tsbackfill.catalog.CopyColumn;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.config.CopySettings;
import io.tsbackfill.copy.CompressedChunkCopier.Compression;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.task.CopyPath;
import io.tsbackfill.task.Task;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one staged chunk inside the caller's open source and target transactions. Chooses the
 * write path: <em>direct</em> into the target chunk with identical slices, or <em>routed</em>
 * through the target hypertable when there is none (Apache-licensed targets cannot create chunks by
 * slices; targets may have other chunk intervals). Either way, first deletes exactly the target
 * rows of the chunk's range, so copying a chunk again gives the same result.
 */
final class ChunkCopier {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkCopier.class);
  static final String INVALIDATION_TRIGGER = InvalidationCarrier.INVALIDATION_TRIGGER;

  /**
   * The result of one chunk inside its transactions (not yet committed); {@code analyze} is the
   * target chunk to ANALYZE once they commit (null: none).
   */
  record Copied(
      CopyPath path,
      String destination,
      long rows,
      long bytes,
      boolean skipped,
      Analyzer.Target analyze) {}

  /**
   * The chunk being copied: its task, the two open transactions, the columns to copy, what the
   * source said of the chunk, and {@code targetSetup}: the target's settings for the chunk's
   * transaction, sent with its first write (empty when none).
   */
  private record Copying(
      Task task,
      Connection s,
      Connection t,
      String columnList,
      boolean binary,
      SourceChunk source,
      String targetSetup) {}

  /**
   * What copy reads of the source chunk in its snapshot, in one statement: its compression state,
   * the columns COPY moves and the CHECK constraints that bound it.
   */
  private record SourceChunk(
      Compression compression, List<CopyColumn> columns, List<String> checks) {}

  /**
   * How a chunk's rows are written, chosen once per chunk by {@link #choose}: one type per path,
   * each knowing which of the copier's steps it takes.
   */
  private sealed interface WritePath permits Batches, Attach, Direct, Routed {
    Copied write(ChunkCopier copier, Copying c) throws SQLException;
  }

  /**
   * A whole compressed source chunk into an identical target chunk: its compressed batches as they
   * are, then its uncompressed rows.
   */
  private record Batches(ChunkName target, Compression source) implements WritePath {
    @Override
    public Copied write(ChunkCopier copier, Copying c) throws SQLException {
      return copier.copyBatches(c, this);
    }
  }

  /** A whole chunk loaded into a new table that then replaces the target chunk. */
  private record Attach(ChunkName target, AttachLoader.Prepared prepared) implements WritePath {
    @Override
    public Copied write(ChunkCopier copier, Copying c) throws SQLException {
      return copier.loadAndAttach(c, this);
    }
  }

  /**
   * Into the target chunk with the same slices; a compressed one is decompressed for the copy.
   * {@code decompressed}: the source chunk is compressed and its rows are read decompressed.
   */
  private record Direct(ChunkName target, boolean targetCompressed, boolean decompressed)
      implements WritePath {
    @Override
    public Copied write(ChunkCopier copier, Copying c) throws SQLException {
      return copier.copyDirect(c, this);
    }
  }

  /**
   * Through the target hypertable, which routes each row to its chunk (creating missing ones).
   * {@code decompressed} as for {@link Direct}.
   */
  private record Routed(boolean decompressed) implements WritePath {
    @Override
    public Copied write(ChunkCopier copier, Copying c) throws SQLException {
      return copier.copyRouted(c, this);
    }
  }

  /**
   * One COPY of the chunk's rows into {@code destination}. {@code decompressed}: read the source
   * chunk with its compressed batches decompressed (not ONLY); {@code freeze}: COPY FREEZE, for a
   * destination created in this transaction only.
   */
  private record RowCopy(String destination, CopyPath path, boolean decompressed, boolean freeze) {}

  private final TimescaleInfo sourceInfo;
  private final TimescaleInfo targetInfo;
  private final Throttle throttle;
  private final CompressedChunkCopier compressed;
  private final AttachLoader attach;
  private final Locks locks;
  private final RowOrder rowOrder;

  /**
   * The first dimension of each hypertable by side and name (see {@link #routedDeletes}), read once
   * per run: TimescaleDB cannot change a dimension's column, type or partitioning function.
   */
  private final Map<String, Optional<List<String>>> firstDimensions = new ConcurrentHashMap<>();

  ChunkCopier(
      TimescaleInfo sourceInfo,
      TimescaleInfo targetInfo,
      Throttle throttle,
      Locks locks,
      RowOrder rowOrder,
      CopySettings.Attach attach) {
    this.sourceInfo = sourceInfo;
    this.targetInfo = targetInfo;
    this.rowOrder = rowOrder;
    this.throttle = throttle;
    this.locks = locks;
    this.compressed = new CompressedChunkCopier(sourceInfo, targetInfo, throttle);
    this.attach = new AttachLoader(targetInfo, locks, attach);
  }

  /**
   * Copies the task's chunk in the open transactions: the source's begins with its first statement
   * (the session says how, see {@link SourceSnapshot#session}), the target's with the claim.
   */
  Copied copy(Task task, Connection s, Connection t) throws SQLException {
    Optional<SourceChunk> read = on(SOURCE, () -> sourceChunk(s, task));
    if (read.isEmpty()) {
      return new Copied(CopyPath.SKIPPED, null, 0, 0, true, null);
    }
    // TimescaleDB's own switch for bulk loads: nothing this transaction writes or deletes is logged
    // as a cagg invalidation, without the trigger's lock (see suppressInvalidations).
    String targetSetup =
        targetInfo.layout().hasSkipCaggInvalidation()
            ? "SET LOCAL timescaledb.skip_cagg_invalidation = on"
            : "";
    List<CopyColumn> columns = read.get().columns();
    boolean binary = CopyColumn.allBinary(columns);
    if (!binary) {
      LOG.warn(
          "{} has column types without binary I/O; copying {} in text format",
          Ident.display(task.hypertableQname()),
          task.label().text());
    }
    Copying c =
        new Copying(task, s, t, CopyColumn.quotedList(columns), binary, read.get(), targetSetup);
    return choose(c).write(this, c);
  }

  /** The source chunk as {@link SourceChunk} says; empty when it no longer exists. */
  private Optional<SourceChunk> sourceChunk(Connection s, Task task) throws SQLException {
    return Jdbc.queryOne(
        s,
        sourceInfo.layout().sql("copy/source-chunk"),
        rs -> {
          String[] names = (String[]) rs.getArray(5).getArray();
          Boolean[] binary = (Boolean[]) rs.getArray(6).getArray();
          java.sql.Array defs = rs.getArray(7);
          List<CopyColumn> columns = new ArrayList<>(names.length);
          for (int i = 0; i < names.length; i++) {
            columns.add(new CopyColumn(names[i], binary[i]));
          }
          return new SourceChunk(
              new Compression(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4)),
              columns,
              defs == null ? List.of() : List.of((String[]) defs.getArray()));
        },
        task.hypertableSchema(),
        task.hypertableName(),
        task.chunkSchema(),
        task.chunkName());
  }

  private static Copying withoutSetup(Copying c) {
    return new Copying(c.task(), c.s(), c.t(), c.columnList(), c.binary(), c.source(), "");
  }

  /** Sets the target's settings for the chunk's transaction, where no write carries them. */
  private static void setUpTarget(Copying c) throws SQLException {
    if (!c.targetSetup().isEmpty()) {
      on(
          TARGET,
          () -> {
            Jdbc.execute(c.t(), c.targetSetup());
            return null;
          });
    }
  }

  /**
   * The write path of the chunk: its compressed batches where the source chunk is compressed and an
   * identical target chunk can take them; else, into an identical target chunk, loaded and attached
   * where the {@link AttachLoader} can, or copied into it directly; else through the target
   * hypertable.
   */
  private WritePath choose(Copying c) throws SQLException {
    Task task = c.task();
    // Read by the claim, in this transaction.
    Optional<ChunkName> targetChunk = on(TARGET, () -> task.target().requireChunk(task));
    Compression source = c.source().compression();
    if (source.compressed()) {
      Optional<String> noBatches =
          task.filter() != null
              ? Optional.of("--until/--from falls inside it")
              : targetChunk.isEmpty()
                  ? Optional.of("the target has no chunk with the same slices")
                  : compressed.unsupportedReason();
      if (noBatches.isEmpty()) {
        return new Batches(targetChunk.get(), source);
      }
      if (task.filter() != null) {
        LOG.info(
            "{} is compressed; copying its rows decompressed because {}",
            task.label().text(),
            noBatches.get());
      } else {
        // Correct but not what was asked for: the rows arrive, not the compressed batches.
        LOG.warn(
            "cannot copy the compressed batches of {}: {}; copying its rows decompressed instead",
            task.label().text(),
            noBatches.get());
      }
    }
    if (targetChunk.isEmpty()) {
      return new Routed(source.compressed());
    }
    ChunkName target = targetChunk.get();
    boolean targetCompressed = task.target().compressedTable() != null;
    if (!targetCompressed) {
      // The loader sends the transaction's settings with the load table it creates, if any.
      Optional<AttachLoader.Prepared> prepared =
          on(
              TARGET,
              () -> attach.prepare(c.t(), task, target, source.compressed(), c.targetSetup()));
      if (prepared.isPresent()) {
        return new Attach(target, prepared.get());
      }
    }
    return new Direct(target, targetCompressed, source.compressed());
  }

  /**
   * Direct: delete the chunk's range in the target chunk, then COPY into it. Rows cannot be
   * replaced inside compressed batches in place, so a compressed target chunk is decompressed
   * first, and compressed again afterwards when it holds rows beyond this copy's range or the
   * source chunk is compressed too.
   */
  private Copied copyDirect(Copying c, Direct d) throws SQLException {
    Task task = c.task();
    String destination = d.target().qname();
    if (d.targetCompressed()) {
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
      setUpTarget(c);
      decompress(c.t(), destination);
    }
    Copying copying = d.targetCompressed() ? withoutSetup(c) : c;
    List<String> deletes =
        List.of(
            "DELETE FROM ONLY "
                + destination
                + (task.filter() == null ? "" : " WHERE " + task.filter()));
    CopyStream.Counts counts =
        deleteAndCopy(
            copying,
            Optional.of(d.target()),
            deletes,
            new RowCopy(destination, CopyPath.DIRECT, d.decompressed(), false));
    if (d.targetCompressed() && (task.filter() != null || d.decompressed())) {
      on(
          TARGET,
          () ->
              Jdbc.queryOne(
                  c.t(),
                  "SELECT " + targetInfo.layout().function("compress_chunk") + "(?::regclass)",
                  rs -> 1,
                  destination));
    }
    return new Copied(
        CopyPath.DIRECT,
        destination,
        counts.rows(),
        counts.bytes(),
        false,
        Analyzer.Target.of(destination));
  }

  /**
   * Routed: delete the chunk's range where the target hypertable keeps it (see {@link
   * #routedDeletes}), then COPY through the hypertable.
   */
  private Copied copyRouted(Copying c, Routed r) throws SQLException {
    Task task = c.task();
    String destination = task.targetHypertableQname();
    String inChunk =
        on(
            SOURCE,
            () -> Catalog.predicateOf(c.source().checks(), task.chunkSchema(), task.chunkName()));
    List<String> deletes = routedDeletes(task, c.s(), c.t(), " WHERE " + task.rowsOfChunk(inChunk));
    CopyStream.Counts counts =
        deleteAndCopy(
            c,
            Optional.empty(),
            deletes,
            new RowCopy(destination, CopyPath.ROUTED, r.decompressed(), false));
    // The target chunk the rows landed in with the source chunk's slices, if the target cuts its
    // chunks so, is looked up by the analyzer after commit: no round trip of the chunk's.
    Analyzer.Target landed =
        a ->
            Catalog.findChunk(
                    a,
                    targetInfo.layout(),
                    task.targetHypertableSchema(),
                    task.targetHypertableName(),
                    task.slices())
                .map(ChunkName::qname);
    return new Copied(CopyPath.ROUTED, destination, counts.rows(), counts.bytes(), false, landed);
  }

  /**
   * The steps the direct and routed paths share: the invalidation triggers suppressed where the
   * rows land ({@code targetChunk}: the direct path's chunk), the deletes, the COPY, and the
   * triggers re-created.
   */
  private CopyStream.Counts deleteAndCopy(
      Copying c, Optional<ChunkName> targetChunk, List<String> deletes, RowCopy copy)
      throws SQLException {
    Connection t = c.t();
    List<String> recreateTriggers =
        on(TARGET, () -> suppressInvalidations(t, c.task(), targetChunk));
    List<String> statements = new ArrayList<>();
    if (!c.targetSetup().isEmpty()) {
      statements.add(c.targetSetup());
    }
    statements.addAll(deletes);
    on(
        TARGET,
        () -> {
          Jdbc.executeAll(t, statements);
          return null;
        });
    CopyStream.Counts counts = copyRows(c, copy);
    on(
        TARGET,
        () -> {
          for (String recreate : recreateTriggers) {
            locks.execute(
                t,
                "re-create the invalidation trigger on " + Ident.display(copy.destination()),
                recreate);
          }
          return null;
        });
    return counts;
  }

  /**
   * A whole chunk into a new table without indexes that then replaces the target chunk (see {@link
   * AttachLoader}): no delete (the old chunk's rows go with it, as a whole chunk's delete would
   * take them), no invalidation trigger to suppress (the loader refuses chunks that have one). The
   * transaction's settings went out with the load table's creation.
   */
  private Copied loadAndAttach(Copying c, Attach a) throws SQLException {
    // FREEZE: the load table was created in this transaction, so its rows can be written frozen
    // and its pages all-visible. Nobody else can see them before commit, ANALYZE then dirties no
    // page setting hint bits, and vacuum never has to rewrite the backfilled history to freeze it.
    CopyStream.Counts counts =
        copyRows(c, new RowCopy(a.prepared().loadTable(), CopyPath.DIRECT, false, true));
    on(
        TARGET,
        () -> {
          attach.attach(c.t(), c.task(), a.target(), a.prepared());
          return null;
        });
    String chunk = a.prepared().chunk();
    return new Copied(
        CopyPath.DIRECT, chunk, counts.rows(), counts.bytes(), false, Analyzer.Target.of(chunk));
  }

  /**
   * A whole compressed source chunk into an identical target chunk: its compressed batches as they
   * are (replacing the target's), then its uncompressed rows, if any. Those go through the target
   * hypertable when the target chunk is compressed but not yet partial, so TimescaleDB marks it
   * partially compressed itself (the tool never writes the chunk status).
   */
  private Copied copyBatches(Copying c, Batches b) throws SQLException {
    Task task = c.task();
    Connection s = c.s();
    Connection t = c.t();
    ChunkName targetChunk = b.target();
    String tc = targetChunk.qname();
    // With a setting to send (skip_cagg_invalidation) there is no trigger to suppress: the setting
    // goes out with the batches' deletes.
    List<String> recreateTriggers =
        on(TARGET, () -> suppressInvalidations(t, task, Optional.of(targetChunk)));
    CompressedChunkCopier.Counts batches =
        compressed.copyBatches(task, s, t, targetChunk, b.source(), c.targetSetup());
    boolean hasRows = batches.sourceHasRows();
    long rows = batches.rows();
    long bytes = batches.bytes();
    if (hasRows) {
      Compression now =
          on(
                  TARGET,
                  () ->
                      CompressedChunkCopier.state(
                          t, targetInfo.layout(), targetChunk.schema(), targetChunk.table()))
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
          copyRows(c, new RowCopy(destination, CopyPath.DIRECT, false, false));
      rows += counts.rows();
      bytes += counts.bytes();
    }
    on(
        TARGET,
        () -> {
          for (String recreate : recreateTriggers) {
            Jdbc.execute(t, recreate);
          }
          return null;
        });
    return new Copied(CopyPath.DIRECT, tc, rows, bytes, false, Analyzer.Target.of(tc));
  }

  /** One COPY of the chunk's rows, forward or last first as {@link RowOrder} says. */
  private CopyStream.Counts copyRows(Copying c, RowCopy r) throws SQLException {
    Task task = c.task();
    String columnList = c.columnList();
    boolean only = !r.decompressed();
    String format = c.binary() ? " (FORMAT binary)" : "";
    String inFormat = r.freeze() ? (c.binary() ? " (FORMAT binary, FREEZE)" : " (FREEZE)") : format;
    String copyIn = "COPY " + r.destination() + " (" + columnList + ") FROM STDIN" + inFormat;
    // Not for a table loaded before its indexes exist (freeze), nor for a compressed chunk's
    // rows read decompressed (their order is not the chunk table's).
    if (only && !r.freeze() && rowOrder.lastFirst(c.t(), task)) {
      long blocks = on(SOURCE, () -> Catalog.blocks(c.s(), task.chunkSchema(), task.chunkName()));
      LOG.debug(
          "copying rows of chunk {} into {} ({}), last first: {} blocks",
          task.chunkQname(),
          r.destination(),
          r.path().column(),
          blocks);
      String where = task.filter() == null ? "" : " AND (" + task.filter() + ")";
      return ReversedCopy.pipe(
          c.s(),
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
          c.binary(),
          c.t(),
          copyIn,
          throttle);
    }
    LOG.debug(
        "copying rows of chunk {} into {} ({})",
        task.chunkQname(),
        r.destination(),
        r.path().column());
    // A whole chunk table is read by COPY itself, without the executor a query goes through:
    // less CPU on the source for the same rows (COPY of a table never reads its children). A
    // compressed source chunk read without ONLY yields its compressed batches decompressed too.
    String copyOut =
        only && task.filter() == null
            ? "COPY " + task.chunkQname() + " (" + columnList + ") TO STDOUT" + format
            : "COPY (SELECT "
                + columnList
                + " FROM "
                + (only ? "ONLY " : "")
                + task.chunkQname()
                + (task.filter() == null ? "" : " WHERE " + task.filter())
                + ") TO STDOUT"
                + format;
    return CopyStream.pipe(c.s(), copyOut, c.t(), copyIn, throttle);
  }

  /**
   * The routed path's delete of the target rows of the source chunk's range ({@code where}): on
   * each target chunk whose time slice overlaps the source chunk's, the only places such rows can
   * be. A DELETE through the target hypertable is planned over all of its chunks (TimescaleDB
   * leaves out chunks that early for SELECT only), so a copy into a target with many chunks slowed
   * down as the target filled (docs/performance.md). It is still the one statement where the chunk
   * list could miss rows: the two hypertables' first dimensions differ (their time slices would
   * measure different things), or a chunk in range is compressed (TimescaleDB deletes inside
   * compressed batches through the hypertable).
   */
  private List<String> routedDeletes(Task task, Connection s, Connection t, String where)
      throws SQLException {
    List<String> throughHypertable = List.of("DELETE FROM " + task.targetHypertableQname() + where);
    Slice time = task.slices().get(0);
    Optional<List<String>> sourceTime =
        on(
            SOURCE,
            () -> firstDimension(s, "source ", task.hypertableSchema(), task.hypertableName()));
    Optional<List<String>> targetTime =
        on(
            TARGET,
            () ->
                firstDimension(
                    t, "target ", task.targetHypertableSchema(), task.targetHypertableName()));
    if (sourceTime.isEmpty()
        || !sourceTime.equals(targetTime)
        || !sourceTime.get().get(0).equals(time.column())) {
      return throughHypertable;
    }
    // Read by the claim, in this transaction.
    List<ChunkSpan> landing = task.target().overlapping();
    if (landing.stream().anyMatch(ChunkSpan::compressed)) {
      return throughHypertable;
    }
    return landing.stream().map(c -> "DELETE FROM ONLY " + c.qname() + where).toList();
  }

  /** {@link Catalog#firstDimension}, read once per run and hypertable on each side. */
  private Optional<List<String>> firstDimension(
      Connection c, String side, String schema, String table) throws SQLException {
    String key = side + Ident.qname(schema, table);
    Optional<List<String>> known = firstDimensions.get(key);
    if (known == null) {
      known = Catalog.firstDimension(c, schema, table);
      firstDimensions.put(key, known);
    }
    return known;
  }

  private void decompress(Connection t, String chunk) throws SQLException {
    String sql = "SELECT " + targetInfo.layout().function("decompress_chunk") + "(?::regclass)";
    on(TARGET, () -> Jdbc.queryOne(t, sql, rs -> 1, chunk));
  }

  /**
   * Drops the continuous-aggregate invalidation trigger wherever this chunk's delete and COPY touch
   * rows, so the backfill is not logged as cagg invalidations (TimescaleDB logs them at commit, and
   * refuses ALTER TABLE ... DISABLE TRIGGER on it). Only up to TimescaleDB 2.22, which has the
   * trigger; from 2.28 the transaction sets {@code timescaledb.skip_cagg_invalidation} instead,
   * which takes no lock; 2.23 to 2.27 log changes with no trigger and no way to skip them. Direct
   * path: the target chunk. Routed path: the existing target chunks of the source chunk's time
   * range when they cover all of it (on a one-dimensional target), otherwise the target hypertable
   * itself: TimescaleDB drops the trigger on all its chunks with it and re-creates it on all of
   * them, including the chunks this COPY creates (at the cost of locking the hypertable for the
   * chunk's transaction). Returns the statements that re-create what was dropped.
   */
  private List<String> suppressInvalidations(
      Connection t, Task task, Optional<ChunkName> targetChunk) throws SQLException {
    if (targetInfo.layout().hasSkipCaggInvalidation()) {
      return List.of(); // skip_cagg_invalidation is on for this transaction
    }
    if (targetChunk.isPresent()) {
      // The claim read whether the chunk carries the trigger, in this transaction.
      Integer hypertableId = task.target().triggerHypertableId();
      return hypertableId == null
          ? List.of()
          : List.of(dropInvalidationTrigger(t, targetChunk.get().qname(), hypertableId));
    }
    // Read by the claim, in this transaction.
    Optional<Catalog.HypertableId> hypertable =
        Optional.ofNullable(task.target().hypertableWithTrigger());
    if (hypertable.isEmpty()) {
      return List.of(); // no continuous aggregate reads this hypertable: nothing gets logged
    }
    int hypertableId = hypertable.get().id();
    Slice time = task.slices().get(0);
    List<ChunkSpan> landing = task.target().overlapping();
    List<String> recreate = new ArrayList<>();
    if (hypertable.get().dimensions() == 1 && covers(landing, time.start(), time.end())) {
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
