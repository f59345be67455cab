package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Sql;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How one side's TimescaleDB catalog is shaped: the one place in the tool that knows how it differs
 * between releases. Everything else writes its catalog SQL against the normalized relations below
 * and asks {@link #sql} for the statement. The shape is read from the catalog itself (does this
 * column exist?), never inferred from the version number, so a patch release that backports a
 * change is served right.
 *
 * <p>What changed, and what each placeholder stands for:
 *
 * <ul>
 *   <li>{@code {chunk}}: the live chunks, one row each, with columns {@code id, hypertable_id,
 *       schema_name, table_name, status, osm_chunk, compressed_schema, compressed_table} (the last
 *       two NULL unless the chunk is compressed). Before 2.26 a dropped chunk stays in the catalog
 *       with {@code dropped = true}; from 2.26 it is gone. Up to 2.28 a chunk names its table by
 *       {@code schema_name, table_name} and points to its compressed chunk (itself a catalog chunk
 *       of an internal hypertable) by {@code compressed_chunk_id}; from 2.29 it has a {@code relid}
 *       and its batches live in the table {@code compression_settings.compress_relid} names.
 *   <li>{@code {chunk_slice}}: a chunk's slice in each dimension, with columns {@code chunk_id,
 *       slice_id, dimension_id, range_start, range_end, constraint_name} (the name of the CHECK
 *       constraint that enforces the slice on the chunk table). Before 2.26 chunks and slices are
 *       linked through {@code chunk_constraint}, which also names the constraint; from 2.26 a slice
 *       belongs to one chunk ({@code dimension_slice.chunk_id}) and its constraint is named {@code
 *       constraint_<slice id>}, as TimescaleDB's own compatibility view spells it.
 *   <li>{@code {settings_of_compressed}}: the {@code compression_settings} column that holds a
 *       compressed chunk table's settings: {@code relid} before 2.19, {@code compress_relid} from
 *       then on.
 *   <li>{@code {proc}}: the schema of TimescaleDB's internal functions; {@code {ext}}: the schema
 *       the extension is installed in, where its public functions live (never assume {@code
 *       public}, and never rely on {@code search_path}).
 *   <li>{@code {materialization_ranges}}: the ranges a continuous-aggregate refresh has taken out
 *       of the materialization invalidation log and not yet materialized, with columns {@code
 *       materialization_id, lowest_modified_value, greatest_modified_value}: a catalog table from
 *       2.22, an empty relation before (a refresh then ran in one transaction).
 * </ul>
 *
 * <p>How continuous aggregates learn of changed rows, and what stops it for a backfill:
 *
 * <ul>
 *   <li>{@code hasInvalidationTrigger}: up to 2.22 a row trigger on each hypertable (and chunk)
 *       logs changes; TimescaleDB refuses to disable it, but it can be dropped and re-created. 2.22
 *       can instead decode the WAL for a hypertable (its continuous aggregates created with {@code
 *       timescaledb.invalidate_using = 'wal'}): no trigger then, and nothing stops the decoding.
 *       From 2.23 the executor logs changes itself, with no trigger.
 *   <li>{@code hasWalInvalidation}: 2.22's WAL decoding. Changes wait in the database's logical
 *       replication slot {@code ts_<database oid>_cagg} until a refresh moves them to the
 *       materialization log; a peek at the slot ({@code pg_logical_slot_peek_binary_changes},
 *       decoded by {@code cagg_parse_invalidation_record}) shows them without consuming them.
 *   <li>{@code hasSkipCaggInvalidation}: from 2.28 {@code SET LOCAL
 *       timescaledb.skip_cagg_invalidation = on} stops the logging for one transaction.
 *   <li>{@code refreshTakesForce}: from 2.22 {@code refresh_continuous_aggregate(..., force =>
 *       true)} re-materializes every bucket of a window, logged as invalid or not.
 * </ul>
 */
public record CatalogLayout(
    String procSchema,
    String extensionSchema,
    boolean chunkHasDropped,
    boolean chunkHasRelid,
    boolean sliceHasChunkId,
    boolean settingsHaveCompressRelid,
    boolean hasSkipCaggInvalidation,
    boolean refreshTakesForce,
    boolean hasMaterializationRanges,
    boolean hasInvalidationTrigger,
    boolean hasWalInvalidation) {

  /**
   * Statements already written for a catalog, by layout and name: workers ask for the same few per
   * chunk, and expanding one (a regex pass and a dozen replaces over several kilobytes) was a tenth
   * of the tool's CPU on small chunks.
   */
  private static final Map<Expansion, String> EXPANDED = new ConcurrentHashMap<>();

  private record Expansion(CatalogLayout layout, String name) {}

  /** The statement in {@code resources/sql/NAME.sql} written for this catalog. */
  public String sql(String name) {
    return EXPANDED.computeIfAbsent(new Expansion(this, name), k -> expand(Sql.load(name)));
  }

  /**
   * A fragment call: {@code {name(arg, ...)}}, the SQL in {@code resources/sql/fragment/name.sql}
   * (underscores as hyphens) with each argument, an SQL expression, put in for {@code $1}, {@code
   * $2}, ... Rules several statements share (which chunk has a task's slices, which chunks a slice
   * would overlap) live in one fragment; a statement cannot call another the way code can.
   */
  private static final Pattern FRAGMENT =
      Pattern.compile("\\{(chunks_with_slices|chunks_overlapping|task_columns)\\(([^{}()]*)\\)\\}");

  /** {@code text} with this catalog's relations and schemas put in for the placeholders. */
  public String expand(String text) {
    return expandRelations(expandFragments(text));
  }

  /** {@code text} with every fragment call replaced by the fragment's SQL, comments left out. */
  static String expandFragments(String text) {
    Matcher m = FRAGMENT.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String body =
          Sql.load("fragment/" + m.group(1).replace('_', '-'))
              .lines()
              .filter(line -> !line.stripLeading().startsWith("--"))
              .collect(Collectors.joining("\n"));
      String[] args = m.group(2).split(",");
      // From the highest number down, so that $1 never eats the start of $10.
      for (int i = args.length; i >= 1; i--) {
        String arg = args[i - 1].strip();
        // A bind parameter put in twice would take two values: pass an expression instead.
        if (arg.contains("?") && body.split("\\$" + i + "(?![0-9])", -1).length > 2) {
          throw new IllegalStateException(
              "fragment " + m.group(1) + " uses $" + i + " more than once; pass a column, not ?");
        }
        body = body.replace("$" + i, arg);
      }
      if (body.matches("(?s).*\\$[0-9].*")) {
        throw new IllegalStateException(
            "fragment " + m.group(1) + " takes more arguments than " + args.length);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(body));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String expandRelations(String text) {
    return text.replace("{chunk}", chunkRelation())
        .replace("{chunk_slice}", chunkSliceRelation())
        .replace("{settings_of_compressed}", settingsHaveCompressRelid ? "compress_relid" : "relid")
        .replace("{materialization_ranges}", materializationRangesRelation())
        .replace("{proc}", Ident.quote(procSchema))
        .replace("{ext}", Ident.quote(extensionSchema));
  }

  /** The qualified name of public function {@code name} of the extension. */
  public String function(String name) {
    return Ident.quote(extensionSchema) + "." + Ident.quote(name);
  }

  /** The qualified name of internal function {@code name}. */
  public String internalFunction(String name) {
    return Ident.quote(procSchema) + "." + Ident.quote(name);
  }

  /**
   * Schema and table names stay of type {@code name}, uncast: a lookup by name ({@code
   * c.schema_name = ?}) then uses the catalog's index on them (pg_class's from 2.29, the chunk
   * table's before), where a cast to text scanned every chunk for each chunk copied.
   */
  private String chunkRelation() {
    if (chunkHasRelid) {
      return "(SELECT c.id, c.hypertable_id, n.nspname AS schema_name,"
          + " r.relname AS table_name, c.status, c.osm_chunk,"
          + " CASE WHEN c.status & 1 <> 0 THEN zn.nspname::text END AS compressed_schema,"
          + " CASE WHEN c.status & 1 <> 0 THEN zr.relname::text END AS compressed_table"
          + " FROM _timescaledb_catalog.chunk c"
          + " JOIN pg_class r ON r.oid = c.relid"
          + " JOIN pg_namespace n ON n.oid = r.relnamespace"
          + " LEFT JOIN _timescaledb_catalog.compression_settings zs ON zs.relid = c.relid"
          + " LEFT JOIN pg_class zr ON zr.oid = zs.compress_relid"
          + " LEFT JOIN pg_namespace zn ON zn.oid = zr.relnamespace)";
    }
    return "(SELECT c.id, c.hypertable_id, c.schema_name, c.table_name, c.status, c.osm_chunk,"
        + " z.schema_name::text AS compressed_schema, z.table_name::text AS compressed_table"
        + " FROM _timescaledb_catalog.chunk c"
        + " LEFT JOIN _timescaledb_catalog.chunk z ON z.id = c.compressed_chunk_id"
        + (chunkHasDropped ? " WHERE NOT c.dropped)" : ")");
  }

  private String materializationRangesRelation() {
    if (hasMaterializationRanges) {
      return "_timescaledb_catalog.continuous_aggs_materialization_ranges";
    }
    return "(SELECT NULL::integer AS materialization_id, NULL::bigint AS lowest_modified_value,"
        + " NULL::bigint AS greatest_modified_value WHERE false)";
  }

  private String chunkSliceRelation() {
    if (sliceHasChunkId) {
      return "(SELECT s.chunk_id, s.id AS slice_id, s.dimension_id, s.range_start, s.range_end,"
          + " format('constraint_%s', s.id)::text AS constraint_name"
          + " FROM _timescaledb_catalog.dimension_slice s)";
    }
    return "(SELECT cc.chunk_id, s.id AS slice_id, s.dimension_id, s.range_start, s.range_end,"
        + " cc.constraint_name::text AS constraint_name"
        + " FROM _timescaledb_catalog.chunk_constraint cc"
        + " JOIN _timescaledb_catalog.dimension_slice s ON s.id = cc.dimension_slice_id)";
  }
}
