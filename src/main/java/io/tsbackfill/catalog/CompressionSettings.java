package io.tsbackfill.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compression settings (segmentby, orderby and its directions) from TimescaleDB's {@code
 * compression_settings} catalog (a compressed chunk table's row is found as {@link CatalogLayout}
 * says). Compressed batches copied as they are only make sense to a target hypertable whose
 * settings are those the batches were built with.
 */
public final class CompressionSettings {
  private static final List<String> COMPARED =
      List.of("segmentby", "orderby", "orderby_desc", "orderby_nullsfirst");

  private CompressionSettings() {}

  /** The settings a compressed chunk table (schema, table) was built with, as catalog JSON. */
  public static Optional<JsonNode> ofCompressedChunk(
      Connection c, CatalogLayout layout, String schema, String table) throws SQLException {
    return one(c, ofCompressedChunk(layout, schema, table));
  }

  /** {@link #ofCompressedChunk(Connection, CatalogLayout, String, String)}, to send with others. */
  public static Jdbc.Query<JsonNode> ofCompressedChunk(
      CatalogLayout layout, String schema, String table) {
    return new Jdbc.Query<>(
        layout.sql("compress/chunks-settings"),
        rs -> json(rs.getString(2)),
        (Object) new String[] {Ident.qname(schema, table)});
  }

  /**
   * The settings each of the compressed chunk tables {@code qnames} (qualified, quoted names) was
   * built with, by name, in one round trip; a table without settings is left out.
   */
  public static Map<String, JsonNode> ofCompressedChunks(
      Connection c, CatalogLayout layout, List<String> qnames) throws SQLException {
    Map<String, JsonNode> out = new HashMap<>();
    Jdbc.query(
        c,
        layout.sql("compress/chunks-settings"),
        rs -> out.put(rs.getString(1), json(rs.getString(2))),
        (Object) qnames.toArray(String[]::new));
    return out;
  }

  /** The current settings of hypertable (schema, table), as catalog JSON. */
  public static Optional<JsonNode> ofHypertable(Connection c, String schema, String table)
      throws SQLException {
    return one(c, ofHypertable(schema, table));
  }

  /** {@link #ofHypertable(Connection, String, String)}, to send with other queries. */
  public static Jdbc.Query<JsonNode> ofHypertable(String schema, String table) {
    return new Jdbc.Query<>(
        Sql.load("compress/hypertable-settings"), CompressionSettings::json, schema, table);
  }

  /** Each compared setting that differs, as "name source vs target"; empty when they agree. */
  public static List<String> differences(JsonNode source, JsonNode target) {
    List<String> out = new ArrayList<>();
    for (String key : COMPARED) {
      String s = render(source == null ? null : source.get(key));
      String t = target == null ? "none" : render(target.get(key));
      if (!s.equals(t)) {
        out.add(key + " " + s + " vs " + t);
      }
    }
    return out;
  }

  /** The error for a mismatch: names both sides, shows the settings and says how to fix it. */
  public static String mismatch(
      String sourceCompressedChunk, String targetHypertable, List<String> differences) {
    return mismatch(List.of(sourceCompressedChunk), targetHypertable, differences);
  }

  /**
   * {@link #mismatch(String, String, List)} for several source compressed chunks with the same
   * differences from one target hypertable: one sentence, naming the first few of them.
   */
  public static String mismatch(
      List<String> sourceCompressedChunks, String targetHypertable, List<String> differences) {
    int named = Math.min(3, sourceCompressedChunks.size());
    int more = sourceCompressedChunks.size() - named;
    String chunks =
        (sourceCompressedChunks.size() == 1
                ? "the source compressed chunk "
                : sourceCompressedChunks.size() + " source compressed chunks (")
            + String.join(", ", sourceCompressedChunks.subList(0, named))
            + (more > 0 ? " and " + more + " more" : "")
            + (sourceCompressedChunks.size() == 1 ? "" : ")");
    return "compression settings differ between "
        + chunks
        + " and the target hypertable "
        + targetHypertable
        + " (source vs target): "
        + String.join("; ", differences)
        + ". Stop the compression jobs on the source, make the target's settings equal to the"
        + (sourceCompressedChunks.size() == 1 ? " chunk's" : " chunks'")
        + " (ALTER TABLE "
        + targetHypertable
        + " SET (timescaledb.compress_segmentby = '...', timescaledb.compress_orderby = '...')),"
        + " run again, and change the settings back once the older chunks are backfilled";
  }

  /** NULL and an empty array both mean no columns. */
  public static String render(JsonNode n) {
    return n == null || n.isNull() || (n.isArray() && n.isEmpty()) ? "[]" : n.toString();
  }

  private static Optional<JsonNode> one(Connection c, Jdbc.Query<JsonNode> q) throws SQLException {
    return Jdbc.queryOne(c, q.sql(), q.mapper(), q.args());
  }

  private static JsonNode json(ResultSet rs) throws SQLException {
    return json(rs.getString(1));
  }

  private static JsonNode json(String json) throws SQLException {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new SQLException("unreadable compression settings " + json, e);
    }
  }

  /** Made when compression settings are first read, not at every start (see Catalog's JSON). */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
