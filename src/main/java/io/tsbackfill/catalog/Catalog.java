package io.tsbackfill.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Read-only view of TimescaleDB's catalog on one side. Never writes. Queries live in {@code
 * resources/sql/catalog/}.
 */
public final class Catalog {
  /** The continuous-aggregate invalidation trigger of TimescaleDB up to 2.22. */
  public static final String INVALIDATION_TRIGGER = "ts_cagg_invalidation_trigger";

  /**
   * Slices are small flat JSON, read and written with Jackson's streaming API: the object mapper
   * would load hundreds of classes at every start of the tool (docs/performance.md).
   */
  private static final JsonFactory JSON = new JsonFactory();

  private Catalog() {}

  /**
   * Version, function schema, license and catalog layout; fails naming the side if the extension is
   * missing or older than the tool supports.
   */
  public static TimescaleInfo inspect(Connection c, Side side) throws SQLException {
    TimescaleInfo info = readInfo(c, side);
    VersionCheck.requireSupported(info, side);
    return info;
  }

  private static TimescaleInfo readInfo(Connection c, Side side) throws SQLException {
    return Jdbc.queryOne(
            c,
            Sql.load("catalog/timescale-info"),
            rs ->
                new TimescaleInfo(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getInt(4),
                    rs.getInt(5),
                    rs.getBoolean(6),
                    new CatalogLayout(
                        rs.getString(2),
                        rs.getString(7),
                        rs.getBoolean(8),
                        rs.getBoolean(9),
                        rs.getBoolean(10),
                        rs.getBoolean(11),
                        rs.getBoolean(12),
                        rs.getBoolean(13),
                        rs.getBoolean(14),
                        rs.getBoolean(15),
                        rs.getBoolean(16))))
        .orElseThrow(
            () ->
                BackfillException.badState(
                    "the "
                        + side.label()
                        + " database has no timescaledb extension (CREATE EXTENSION timescaledb)"));
  }

  /** Every hypertable that has dimensions, by id. */
  public static Map<Integer, Hypertable> hypertables(Connection c) throws SQLException {
    Map<Integer, Hypertable> out = new LinkedHashMap<>();
    record Row(int id, String schema, String table, Dimension d) {}
    for (Row r :
        Jdbc.query(
            c,
            Sql.load("catalog/hypertables"),
            rs ->
                new Row(
                    rs.getInt(1),
                    rs.getString(2),
                    rs.getString(3),
                    new Dimension(
                        rs.getInt(4), rs.getString(5), rs.getString(6), rs.getBoolean(7))))) {
      out.computeIfAbsent(r.id, id -> new Hypertable(id, r.schema, r.table, new ArrayList<>()))
          .dimensions()
          .add(r.d);
    }
    out.replaceAll(
        (id, h) -> new Hypertable(id, h.schema(), h.table(), List.copyOf(h.dimensions())));
    return out;
  }

  /** Ids of hypertables and cagg materialization hypertables matched by a regex. */
  public static Set<Integer> hypertablesMatching(Connection c, String regex) throws SQLException {
    return new TreeSet<>(
        Jdbc.query(c, Sql.load("catalog/hypertables-matching"), rs -> rs.getInt(1), regex, regex));
  }

  /** Every continuous aggregate, by materialization hypertable id. */
  public static List<ContinuousAggregate> continuousAggregates(Connection c) throws SQLException {
    return Jdbc.query(
        c,
        Sql.load("catalog/caggs"),
        rs ->
            new ContinuousAggregate(
                rs.getInt(1),
                rs.getInt(2),
                (Integer) rs.getObject(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8)));
  }

  /** The watermark of each of {@code caggs}, in the order given. */
  public static List<CaggWatermark> caggWatermarks(Connection c, List<ContinuousAggregate> caggs)
      throws SQLException {
    record Row(long watermark, boolean known, String timeType) {}
    Map<Integer, Row> rows = new LinkedHashMap<>();
    for (var e :
        Jdbc.query(
            c,
            Sql.load("catalog/cagg-watermarks"),
            rs -> {
              long w = rs.getLong(2);
              return Map.entry(rs.getInt(1), new Row(w, !rs.wasNull(), rs.getString(3)));
            })) {
      rows.put(e.getKey(), e.getValue());
    }
    List<CaggWatermark> out = new ArrayList<>();
    for (ContinuousAggregate ca : caggs) {
      Row r = rows.get(ca.matHypertableId());
      out.add(
          new CaggWatermark(
              ca, r == null || !r.known() ? null : r.watermark(), r == null ? null : r.timeType()));
    }
    return out;
  }

  /**
   * Chunks of {@code h} whose time slice overlaps {@code [lower, upper)} ({@code lower} may be
   * null), newest first.
   */
  public static List<Chunk> chunksInRange(
      Connection c, CatalogLayout layout, Hypertable h, Long lower, long upper)
      throws SQLException {
    record Row(
        int id,
        String schema,
        String table,
        String compressedSchema,
        String compressedTable,
        Slice slice,
        long bytes,
        boolean osm,
        boolean hypercore) {}
    List<Row> rows =
        Jdbc.query(
            c,
            layout.sql("catalog/chunks-in-range"),
            rs ->
                new Row(
                    rs.getInt(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    new Slice(rs.getString(7), rs.getString(8), rs.getLong(9), rs.getLong(10)),
                    rs.getLong(11),
                    rs.getBoolean(12),
                    rs.getBoolean(13)),
            h.id(),
            h.timeDimension().id(),
            upper,
            lower,
            lower);
    Map<Integer, List<Row>> byChunk = new LinkedHashMap<>();
    for (Row r : rows) {
      byChunk.computeIfAbsent(r.id, k -> new ArrayList<>()).add(r);
    }
    List<Chunk> chunks = new ArrayList<>();
    for (List<Row> rs : byChunk.values()) {
      Row first = rs.get(0);
      // Rows come ordered by dimension id, so the time slice is first.
      List<Slice> slices = rs.stream().map(Row::slice).toList();
      chunks.add(
          new Chunk(
              first.id,
              first.schema,
              first.table,
              slices,
              first.compressedSchema,
              first.compressedTable,
              first.bytes,
              first.osm,
              first.hypercore));
    }
    chunks.sort((a, b) -> Long.compare(b.timeSlice().start(), a.timeSlice().start()));
    return chunks;
  }

  /** The target chunk of hypertable (schema, table) with exactly these slices, if any. */
  public static Optional<ChunkName> findChunk(
      Connection c, CatalogLayout layout, String schema, String table, List<Slice> slices)
      throws SQLException {
    String json = slicesJson(slices);
    List<ChunkName> found =
        Jdbc.query(
            c,
            layout.sql("catalog/find-chunk"),
            rs -> new ChunkName(rs.getString(1), rs.getString(2)),
            json,
            schema,
            table);
    if (found.size() > 1) {
      throw new SQLException(
          "more than one chunk of " + schema + "." + table + " matches slices " + json, "XX000");
    }
    return found.stream().findFirst();
  }

  /**
   * How many chunks of (schema, table) a chunk with these slices would collide with: chunks that
   * overlap it in every dimension both have.
   */
  public static long overlappingChunks(
      Connection c, CatalogLayout layout, String schema, String table, List<Slice> slices)
      throws SQLException {
    return Jdbc.queryOne(
            c,
            layout.sql("catalog/overlapping-chunks"),
            rs -> rs.getLong(1),
            schema,
            table,
            slicesJson(slices))
        .orElse(0L);
  }

  /** A chunk to create by its slices, named by the caller's key. */
  public record MissingChunk(String key, List<Slice> slices) {}

  /**
   * Creates, in one statement, the chunks of hypertable (schema, table) for {@code chunks} that no
   * chunk of it overlaps yet (the Timescale License's create_chunk); returns the keys of those it
   * created. One round trip however many chunks a stage lists.
   */
  public static Set<String> createMissingChunks(
      Connection c, CatalogLayout layout, String schema, String table, List<MissingChunk> chunks)
      throws SQLException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (MissingChunk m : chunks) {
        g.writeStartObject();
        g.writeStringField("key", m.key());
        g.writeFieldName("slices");
        g.writeRawValue(slicesJson(m.slices()));
        g.writeFieldName("create");
        g.writeRawValue(createChunkSlices(m.slices()));
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LinkedHashSet<>(
        Jdbc.query(
            c,
            layout.sql("catalog/create-missing-chunks"),
            rs -> rs.getString(1),
            out.toString(),
            schema,
            table,
            Ident.qname(schema, table)));
  }

  /** The dimension columns of hypertable (schema, table), by dimension id. */
  public static List<String> dimensionColumns(Connection c, String schema, String table)
      throws SQLException {
    return Jdbc.query(
        c, Sql.load("catalog/dimension-columns"), rs -> rs.getString(1), schema, table);
  }

  /**
   * The first (time) dimension of hypertable (schema, table): its column, type and partitioning
   * function ("" when none); empty when it is no hypertable. Two hypertables whose first dimensions
   * are equal so cut their chunks' time slices in the same units.
   */
  public static Optional<List<String>> firstDimension(Connection c, String schema, String table)
      throws SQLException {
    return Jdbc.queryOne(
        c,
        Sql.load("catalog/first-dimension"),
        rs -> List.of(rs.getString(1), rs.getString(2), rs.getString(3)),
        schema,
        table);
  }

  /** A hypertable's catalog id and how many dimensions it has. */
  public record HypertableId(int id, int dimensions) {}

  public static boolean chunkExists(Connection c, CatalogLayout layout, String schema, String table)
      throws SQLException {
    return Jdbc.queryOne(
            c, layout.sql("catalog/chunk-exists"), rs -> rs.getBoolean(1), schema, table)
        .orElse(false);
  }

  /**
   * The boolean expression that admits exactly the rows of the chunk: its dimension CHECK
   * constraints joined with AND.
   */
  public static String chunkPredicate(
      Connection c, CatalogLayout layout, String schema, String table) throws SQLException {
    List<String> checks =
        Jdbc.query(c, layout.sql("catalog/chunk-predicate"), rs -> rs.getString(1), schema, table);
    return predicateOf(checks, schema, table);
  }

  /**
   * {@link #chunkPredicate} from the chunk's dimension CHECK constraints as {@code
   * pg_get_constraintdef} gives them.
   */
  public static String predicateOf(List<String> checks, String schema, String table)
      throws SQLException {
    if (checks.isEmpty()) {
      throw new SQLException("chunk " + schema + "." + table + " has no dimension constraints");
    }
    List<String> parts = new ArrayList<>();
    for (String def : checks) {
      String expr = def.strip();
      if (expr.startsWith("CHECK ")) {
        expr = expr.substring("CHECK ".length());
      }
      expr = expr.replace(" NOT VALID", "");
      parts.add(expr);
    }
    return String.join(" AND ", parts);
  }

  public static List<Column> columns(Connection c, String schema, String table)
      throws SQLException {
    return Jdbc.query(
        c,
        Sql.load("catalog/columns"),
        rs -> new Column(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
        schema,
        table);
  }

  public static boolean isHypertable(Connection c, String schema, String table)
      throws SQLException {
    return Jdbc.queryOne(
            c, Sql.load("catalog/is-hypertable"), rs -> rs.getBoolean(1), schema, table)
        .orElse(false);
  }

  public static List<CopyColumn> copyColumns(Connection c, String schema, String table)
      throws SQLException {
    return Jdbc.query(
        c,
        Sql.load("catalog/copy-columns"),
        rs -> new CopyColumn(rs.getString(1), rs.getBoolean(2)),
        schema,
        table);
  }

  /**
   * The directions of the btree indexes of table (schema, table) that lead with {@code column}:
   * true for descending, false for ascending; empty when none does.
   */
  public static Set<Boolean> leadingIndexDirections(
      Connection c, String schema, String table, String column) throws SQLException {
    return new HashSet<>(
        Jdbc.query(
            c,
            Sql.load("catalog/leading-index-directions"),
            rs -> rs.getBoolean(1),
            schema,
            table,
            column));
  }

  /** The number of blocks table (schema, table) has now. */
  public static long blocks(Connection c, String schema, String table) throws SQLException {
    return Jdbc.queryOne(c, Sql.load("catalog/relation-blocks"), rs -> rs.getLong(1), schema, table)
        .orElse(0L);
  }

  /** The task table's {@code dimensions} JSON for a list of slices. */
  public static String slicesJson(List<Slice> slices) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (Slice s : slices) {
        g.writeStartObject();
        g.writeStringField("column_name", s.column());
        g.writeStringField("column_type", s.columnType());
        g.writeNumberField("range_start", s.start());
        g.writeNumberField("range_end", s.end());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** {@code create_chunk}'s slices argument: {@code {"column": [start, end], ...}}. */
  public static String createChunkSlices(List<Slice> slices) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (Slice s : slices) {
        g.writeArrayFieldStart(s.column());
        g.writeNumber(s.start());
        g.writeNumber(s.end());
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The slices of a task table's {@code dimensions} JSON (see {@link #slicesJson}). */
  public static List<Slice> parseSlices(String json) {
    try (JsonParser p = JSON.createParser(json)) {
      List<Slice> out = new ArrayList<>();
      expect(p.nextToken(), JsonToken.START_ARRAY, json);
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String column = null;
        String type = null;
        Long start = null;
        Long end = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          switch (field) {
            case "column_name" -> column = p.getValueAsString();
            case "column_type" -> type = p.getValueAsString();
            case "range_start" -> start = longValue(p, value, json);
            case "range_end" -> end = longValue(p, value, json);
            default -> p.skipChildren();
          }
        }
        if (column == null || type == null || start == null || end == null) {
          throw new IllegalArgumentException(
              "invalid dimensions JSON (a slice lacks a field): " + json);
        }
        out.add(new Slice(column, type, start, end));
      }
      expect(p.currentToken(), JsonToken.END_ARRAY, json);
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid dimensions JSON: " + json, e);
    }
  }

  private static void expect(JsonToken got, JsonToken want, String json) {
    if (got != want) {
      throw new IllegalArgumentException(
          "invalid dimensions JSON (" + got + " where " + want + " belongs): " + json);
    }
  }

  /** A slice bound: a JSON integer, or a string of one (both have been written). */
  private static long longValue(JsonParser p, JsonToken value, String json) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_INT) {
      return p.getLongValue();
    }
    if (value == JsonToken.VALUE_STRING) {
      try {
        return Long.parseLong(p.getText().strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "invalid dimensions JSON (bound " + p.getText() + "): " + json, e);
      }
    }
    throw new IllegalArgumentException("invalid dimensions JSON (bound " + value + "): " + json);
  }
}
