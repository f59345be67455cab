package io.tsbackfill.copy;

import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.catalog.CatalogLayout;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.CompressionSettings;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.task.ClaimedTarget;
import io.tsbackfill.task.Task;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the compressed part of a compressed source chunk as it is stored: the rows (batches) of
 * its compressed chunk table go into the target chunk's compressed chunk table, never decompressed
 * and recompressed. When the target chunk has no compressed chunk table yet (the source chunk was
 * compressed after the target schema was made), builds one like TimescaleDB does (the source's
 * columns, storage, statistics targets, index and the hypertable's foreign keys) and registers it
 * with TimescaleDB's {@code create_compressed_chunk} and the source's size statistics. Never writes
 * TimescaleDB's catalog tables.
 */
final class CompressedChunkCopier {
  private static final Logger LOG = LoggerFactory.getLogger(CompressedChunkCopier.class);

  /** TimescaleDB status bit of a partially compressed chunk (compressed batches plus rows). */
  static final int STATUS_PARTIAL = 8;

  /** A chunk's compression state: its status bits and its compressed chunk table, if any. */
  record Compression(int status, String compressedSchema, String compressedTable, int chunkId) {
    boolean compressed() {
      return compressedTable != null;
    }

    boolean partial() {
      return (status & STATUS_PARTIAL) != 0;
    }

    String compressedQname() {
      return Ident.qname(compressedSchema, compressedTable);
    }
  }

  /** One column of a compressed chunk table, as CREATE TABLE needs it. */
  private record DataColumn(
      String quotedName,
      String type,
      String storage,
      String collation,
      String defaultExpr,
      String identity,
      boolean notNull,
      boolean compressedData,
      boolean binaryIo) {}

  private final TimescaleInfo sourceInfo;
  private final TimescaleInfo targetInfo;
  private final Throttle throttle;

  CompressedChunkCopier(TimescaleInfo sourceInfo, TimescaleInfo targetInfo, Throttle throttle) {
    this.sourceInfo = sourceInfo;
    this.targetInfo = targetInfo;
    this.throttle = throttle;
  }

  /** The compression state of chunk (schema, table) on one side; empty if there is no chunk. */
  static Optional<Compression> state(
      Connection c, CatalogLayout layout, String schema, String table) throws SQLException {
    return Jdbc.queryOne(
        c,
        layout.sql("compress/chunk-compression"),
        rs -> new Compression(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4)),
        schema,
        table);
  }

  /**
   * Why compressed batches cannot be copied as they are into this target, or empty when they can:
   * compression needs the Timescale License.
   */
  Optional<String> unsupportedReason() {
    if (!targetInfo.hasTimescaleLicense()) {
      return Optional.of("the target's TimescaleDB has no Timescale License (no compression)");
    }
    return Optional.empty();
  }

  /**
   * Rows and bytes the target accepted, and whether the source chunk has uncompressed rows beside
   * its batches (read with the batches' settings, in the chunk's snapshot), for the caller to copy.
   */
  record Counts(long rows, long bytes, boolean sourceHasRows) {}

  /**
   * Copies the compressed batches of {@code source} (the compressed state of the task's chunk) into
   * target chunk {@code targetChunk}, replacing the batches it had, after deleting the chunk's
   * uncompressed rows; {@code setup}: the statements the chunk's transaction starts with (empty:
   * none), sent with the deletes. Returns what was copied; the caller copies the source's
   * uncompressed rows afterwards.
   */
  Counts copyBatches(
      Task task,
      Connection s,
      Connection t,
      ChunkName targetChunk,
      Compression source,
      String setup)
      throws SQLException {
    String tc = targetChunk.qname();
    // Read by the claim, in this transaction.
    ClaimedTarget claimed = task.target();
    Compression target =
        new Compression(
            claimed.status(),
            claimed.compressedSchema(),
            claimed.compressedTable(),
            claimed.chunkId());
    // One round trip on each side: the settings to compare and the compressed tables' columns.
    List<List<?>> sourceRead =
        on(
            SOURCE,
            () ->
                Jdbc.queryAll(
                    s,
                    List.of(
                        CompressionSettings.ofCompressedChunk(
                            sourceInfo.layout(),
                            source.compressedSchema(),
                            source.compressedTable()),
                        dataColumns(source.compressedSchema(), source.compressedTable()),
                        new Jdbc.Query<>(
                            "SELECT EXISTS (SELECT 1 FROM ONLY " + task.chunkQname() + ")",
                            rs -> rs.getBoolean(1)))));
    boolean sourceHasRows = sourceRead.get(2).equals(List.of(true));
    List<Jdbc.Query<?>> targetQueries = new ArrayList<>();
    targetQueries.add(
        CompressionSettings.ofHypertable(
            task.targetHypertableSchema(), task.targetHypertableName()));
    if (target.compressed()) {
      targetQueries.add(dataColumns(target.compressedSchema(), target.compressedTable()));
    }
    List<List<?>> targetRead = on(TARGET, () -> Jdbc.queryAll(t, targetQueries));
    requireSameSettings(
        task,
        source,
        sourceRead.get(0).stream().map(JsonNode.class::cast).findFirst().orElse(null),
        targetRead.get(0).stream().map(JsonNode.class::cast).findFirst().orElse(null));
    List<DataColumn> sourceColumns = columns(sourceRead.get(1));
    List<String> statements = new ArrayList<>();
    if (!setup.isEmpty()) {
      statements.add(setup);
    }
    // What the target chunk is once the deletes ran: the same, unless its compressed chunk had
    // other columns than the source's and is decompressed (the deletes leave the status alone).
    Compression now = target;
    if (target.compressed()) {
      List<DataColumn> targetColumns = columns(targetRead.get(1));
      statements.add("DELETE FROM " + target.compressedQname());
      if (!sameShape(sourceColumns, targetColumns)) {
        // Built under other settings (e.g. another sparse index): drop it, now empty and cheap
        // to decompress, and build one like the source's below.
        LOG.warn(
            "the compressed chunk {} of target chunk {} has other columns than the source's {}:"
                + " replacing it",
            Ident.display(target.compressedQname()),
            Ident.display(tc),
            Ident.display(source.compressedQname()));
        execute(t, statements);
        statements.clear();
        on(
            TARGET,
            () ->
                Jdbc.queryOne(
                    t,
                    "SELECT " + targetInfo.layout().function("decompress_chunk") + "(?::regclass)",
                    rs -> 1,
                    tc));
        now = new Compression(0, null, null, target.chunkId());
      }
    }
    statements.add("DELETE FROM ONLY " + tc);
    execute(t, statements);
    boolean binary = sourceColumns.stream().allMatch(DataColumn::binaryIo);
    if (!binary) {
      LOG.warn(
          "{} has column types without binary I/O; copying its compressed batches in text format",
          Ident.display(source.compressedQname()));
    }
    if (now.compressed()) {
      String destination = now.compressedQname();
      CopyStream.Counts counts = pipe(s, source, t, destination, binary);
      on(
          TARGET,
          () -> {
            Jdbc.execute(t, "ANALYZE " + destination);
            return null;
          });
      return new Counts(counts.rows(), counts.bytes(), sourceHasRows);
    }
    CopyStream.Counts counts = createWithData(task, s, t, tc, source, sourceColumns, binary);
    return new Counts(counts.rows(), counts.bytes(), sourceHasRows);
  }

  private static void execute(Connection t, List<String> statements) throws SQLException {
    on(
        TARGET,
        () -> {
          Jdbc.executeAll(t, statements);
          return null;
        });
  }

  private CopyStream.Counts pipe(
      Connection s, Compression source, Connection t, String destination, boolean binary)
      throws SQLException {
    String format = binary ? " (FORMAT binary)" : "";
    LOG.debug("copying compressed batches of {} into {}", source.compressedQname(), destination);
    return CopyStream.pipe(
        s,
        "COPY (SELECT * FROM ONLY " + source.compressedQname() + ") TO STDOUT" + format,
        t,
        "COPY " + destination + " FROM STDIN" + format,
        throttle);
  }

  /**
   * Builds the target's compressed chunk table (named {@code bf_} + the source's), fills it and
   * registers it for target chunk {@code tc}.
   */
  private CopyStream.Counts createWithData(
      Task task,
      Connection s,
      Connection t,
      String tc,
      Compression source,
      List<DataColumn> columns,
      boolean binary)
      throws SQLException {
    String name = "bf_" + source.compressedTable();
    if (source.compressedTable().length() + 3 >= targetInfo.maxIdentifierLength()) {
      name = "bf_" + source.compressedTable().substring(3);
    }
    String schema = source.compressedSchema();
    String table = name;
    String qname = Ident.qname(schema, table);
    if (on(
        TARGET,
        () ->
            Jdbc.queryOne(
                    t, Sql.load("compress/relation-exists"), rs -> rs.getBoolean(1), schema, table)
                .orElse(false))) {
      throw new java.sql.SQLException(
          "cannot create the compressed chunk of "
              + tc
              + " for source "
              + task.chunkQname()
              + ": a table "
              + qname
              + " exists already in the target (left from an earlier backfill? drop it if no"
              + " chunk uses it)",
          "42P07");
    }
    JsonNode settings = sourceSettings(s, source);
    List<String> indexes =
        on(
            SOURCE,
            () ->
                Jdbc.query(
                    s,
                    Sql.load("compress/data-table-indexes"),
                    rs ->
                        (rs.getBoolean(2) ? "CREATE UNIQUE INDEX ON " : "CREATE INDEX ON ")
                            + qname
                            + " USING "
                            + rs.getString(1),
                    source.compressedSchema(),
                    source.compressedTable()));
    on(
        TARGET,
        () -> {
          createDataTable(t, qname, columns, indexes);
          for (long fk :
              Jdbc.query(
                  t,
                  Sql.load("compress/hypertable-foreign-keys"),
                  rs -> rs.getLong(1),
                  task.targetHypertableSchema(),
                  task.targetHypertableName())) {
            Jdbc.queryOne(
                t,
                "SELECT "
                    + Ident.quote(targetInfo.procSchema())
                    + ".constraint_clone(?::oid, ?::regclass)",
                rs -> 1,
                fk,
                qname);
          }
          return null;
        });
    CopyStream.Counts counts = pipe(s, source, t, qname, binary);
    long[] sizes =
        on(
                SOURCE,
                () ->
                    Jdbc.queryOne(
                        s,
                        Sql.load("compress/chunk-size"),
                        rs -> {
                          long[] out = new long[8];
                          for (int i = 0; i < 8; i++) {
                            out[i] = rs.getLong(i + 1);
                          }
                          return out;
                        },
                        source.chunkId()))
            .orElse(new long[8]);
    on(
        TARGET,
        () -> {
          Jdbc.queryOne(
              t,
              "SELECT "
                  + Ident.quote(targetInfo.procSchema())
                  + ".create_compressed_chunk(?::regclass, ?::regclass, ?, ?, ?, ?, ?, ?, ?, ?)",
              rs -> 1,
              tc,
              qname,
              sizes[0],
              sizes[1],
              sizes[2],
              sizes[3],
              sizes[4],
              sizes[5],
              sizes[6],
              sizes[7]);
          Jdbc.execute(t, "ANALYZE " + qname);
          return null;
        });
    // TimescaleDB derived the new chunk's settings (sparse indexes included) from the target
    // hypertable: they must describe the batches just copied.
    JsonNode registered =
        on(
                TARGET,
                () -> CompressionSettings.ofCompressedChunk(t, targetInfo.layout(), schema, table))
            .orElse(null);
    if (registered != null
        && !CompressionSettings.render(settings.get("index"))
            .equals(CompressionSettings.render(registered.get("index")))) {
      throw new SQLException(
          "the compressed chunk "
              + source.compressedSchema()
              + "."
              + source.compressedTable()
              + " has sparse indexes "
              + settings.get("index")
              + " but the target hypertable "
              + task.targetHypertableSchema()
              + "."
              + task.targetHypertableName()
              + " would give it "
              + registered.get("index")
              + ": create the same indexes on the target hypertable (TimescaleDB adds a bloom"
              + " sparse index for each indexed column that is not a segmentby column) or set"
              + " timescaledb.sparse_index alike, and copy again",
          "55000");
    }
    LOG.debug("created compressed chunk {} for {}", qname, tc);
    return counts;
  }

  /**
   * Creates the compressed chunk table like the source's: columns with their storage, collation,
   * default, identity and NOT NULL, TimescaleDB's toast_tuple_target and statistics targets, and
   * its indexes, all in one round trip. A column's storage goes into CREATE TABLE from PostgreSQL
   * 16; before, CREATE TABLE cannot take it and ALTER TABLE sets it (TimescaleDB gives some columns
   * a storage other than their type's default, and which differs between its releases).
   */
  private void createDataTable(
      Connection t, String qname, List<DataColumn> columns, List<String> indexes)
      throws SQLException {
    boolean storageInCreate = targetInfo.serverVersionNum() >= 160000;
    List<String> defs = new ArrayList<>();
    List<String> alters = new ArrayList<>();
    for (DataColumn c : columns) {
      StringBuilder d = new StringBuilder(c.quotedName()).append(' ').append(c.type());
      if (storageInCreate) {
        d.append(" STORAGE ").append(c.storage());
      } else {
        alters.add("ALTER COLUMN " + c.quotedName() + " SET STORAGE " + c.storage());
      }
      if (c.collation() != null) {
        d.append(" COLLATE ").append(c.collation());
      }
      if (c.defaultExpr() != null) {
        d.append(" DEFAULT ").append(c.defaultExpr());
      }
      if (c.identity() != null && !c.identity().isEmpty()) {
        d.append(" GENERATED ALWAYS AS IDENTITY");
      }
      d.append(c.notNull() ? " NOT NULL" : " NULL");
      defs.add(d.toString());
      alters.add(
          "ALTER COLUMN " + c.quotedName() + " SET STATISTICS " + (c.compressedData() ? 0 : 1000));
    }
    List<String> statements = new ArrayList<>();
    statements.add(
        "CREATE TABLE "
            + qname
            + " ("
            + String.join(", ", defs)
            + ") WITH (toast_tuple_target = 128)");
    statements.add("ALTER TABLE " + qname + " " + String.join(", ", alters));
    statements.addAll(indexes);
    Jdbc.executeAll(t, statements);
  }

  /**
   * Fails when the source chunk was compressed with other segmentby/orderby settings than the
   * target hypertable has now, naming both and saying how to fix it.
   */
  /**
   * The source compressed chunk's settings ({@code src}, null: none found) equal the target
   * hypertable's ({@code tgt}, null: none), or an error saying how to make them so.
   */
  private static void requireSameSettings(Task task, Compression source, JsonNode src, JsonNode tgt)
      throws SQLException {
    if (src == null) {
      throw noSettings(source);
    }
    List<String> differ = CompressionSettings.differences(src, tgt);
    if (!differ.isEmpty()) {
      throw new SQLException(
          CompressionSettings.mismatch(
              source.compressedSchema() + "." + source.compressedTable(),
              task.targetHypertableSchema() + "." + task.targetHypertableName(),
              differ),
          "55000");
    }
  }

  private JsonNode sourceSettings(Connection s, Compression source) throws SQLException {
    return on(
            SOURCE,
            () ->
                CompressionSettings.ofCompressedChunk(
                    s, sourceInfo.layout(), source.compressedSchema(), source.compressedTable()))
        .orElseThrow(() -> noSettings(source));
  }

  private static SQLException noSettings(Compression source) {
    return new SQLException(
        "no compression settings for the source compressed chunk "
            + source.compressedSchema()
            + "."
            + source.compressedTable(),
        "55000");
  }

  /** The columns of compressed chunk table (schema, table), as {@link DataColumn}s. */
  private static Jdbc.Query<DataColumn> dataColumns(String schema, String table) {
    return new Jdbc.Query<>(
        Sql.load("compress/data-table-columns"),
        rs ->
            new DataColumn(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getBoolean(7),
                rs.getBoolean(8),
                rs.getBoolean(9)),
        schema,
        table);
  }

  private static List<DataColumn> columns(List<?> rows) {
    return rows.stream().map(DataColumn.class::cast).toList();
  }

  /** Same column names and types in the same order: COPY without a column list fits. */
  private static boolean sameShape(List<DataColumn> a, List<DataColumn> b) {
    return shape(a).equals(shape(b));
  }

  private static String shape(List<DataColumn> columns) {
    return columns.stream()
        .map(c -> c.quotedName() + " " + c.type())
        .collect(Collectors.joining(","));
  }
}
