package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed (columnstore) source chunks: whole ones reach the target as their compressed batches
 * (the compressed chunk table's rows), never decompressed and recompressed; partial ones add their
 * uncompressed rows; bounds inside compressed chunks copy only the rows in range and leave target
 * chunks compressed that were; a recopy replaces batches instead of adding to them; verify sees the
 * compressed rows on both sides. The fixture's indexed {@code transaction_id} gives every
 * compressed chunk table a bloom1 sparse-index column, which has no binary I/O (text COPY).
 */
class TslCompressCopyIT extends TslIntegrationTest {
  private static final String ALL = "time < '2023-06-01 00:00+00'";

  @Test
  void compressedPartialAndDecompressedChunksRecopyAndVerify() {
    onBoth("tsl-compress");
    source.fixture("tsl-compress-data");
    offsetTargetIds();
    // Source: Apr 27 and May 4 chunks compressed; May 4 then gets more rows (partial); May 11
    // compressed only after the target has its compressed chunk there (below); May 18 and 25
    // stay uncompressed.
    compress(source, "2023-05-01 00:00+00");
    compress(source, "2023-05-05 00:00+00");
    source.exec(
        "INSERT INTO public.metrics (time, device_id, val) SELECT t, '3', 7"
            + " FROM generate_series('2023-05-05 00:00+00'::timestamptz, '2023-05-06 00:00+00',"
            + " '1 hour') t");
    compress(source, "2023-05-12 00:00+00");
    // Target, as dual writes and its own compression policy leave it: rows in the Apr 27 chunk
    // (compressed there, so its compressed chunk must be emptied before the source's batches
    // arrive) and in the May 18 chunk (compressed on the target, not on the source).
    for (String day : new String[] {"2023-05-01", "2023-05-19"}) {
      target.exec(
          "INSERT INTO public.metrics (time, device_id, val) SELECT t, 'dual', 1"
              + " FROM generate_series('"
              + day
              + " 00:00+00'::timestamptz, '"
              + day
              + " 05:00+00', '1 hour') t");
      compress(target, day + " 00:00+00");
    }

    ToolRun staged = stage("--until", "2023-06-01T00:00:00Z");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 5 chunks");
    ToolRun copied = copy("--log-file", log.toString());
    assertOk(copied);
    assertThat(copied.out()).contains("Copying 5 pending chunks").doesNotContain("(routed)");

    assertSameRows("public.metrics", ALL);
    assertThat(target.count("SELECT count(*) FROM public.metrics WHERE device_id = 'dual'"))
        .as("dual-written rows inside copied chunks are replaced by design")
        .isZero();
    assertCompressedLikeSource("2023-05-01 00:00+00");
    assertCompressedLikeSource("2023-05-05 00:00+00");
    assertCompressedLikeSource("2023-05-12 00:00+00");
    assertThat(status(target, "2023-05-05 00:00+00") & 8)
        .as("partial status of the target's May 4 chunk (set by TimescaleDB on routed rows)")
        .isEqualTo(8);
    assertThat(compressedTable(target, "2023-05-19 00:00+00"))
        .as("compressed table of the target's May 18 chunk, decompressed like the source's")
        .isNull();
    assertThat(compressedTable(target, "2023-05-12 00:00+00"))
        .as("the May 11 compressed chunk table the copy created on the target")
        .isEqualTo(
            compressedTable(source, "2023-05-12 00:00+00")
                .replace("_timescaledb_internal.", "_timescaledb_internal.bf_"));
    assertThat(shape(target, compressedTable(target, "2023-05-12 00:00+00")))
        .as("DDL of the created compressed chunk table vs the source's")
        .isEqualTo(shape(source, compressedTable(source, "2023-05-12 00:00+00")));
    assertOk(verify());

    // Recopy: every chunk again. Batches are replaced, not added.
    String before = batchFingerprints();
    target.exec("UPDATE __backfill.task SET worked = NULL, verified = NULL");
    assertOk(copy());
    assertThat(batchFingerprints()).as("compressed batches after a recopy").isEqualTo(before);
    assertSameRows("public.metrics", ALL);
    assertOk(verify());

    // A compressed batch removed on the target: verify fails, naming the chunk.
    String tcc = compressedTable(target, "2023-05-12 00:00+00");
    target.exec("DELETE FROM " + tcc + " WHERE ctid = (SELECT min(ctid) FROM " + tcc + ")");
    target.exec("UPDATE __backfill.task SET verified = NULL");
    ToolRun verified = verify();
    assertThat(verified.exitCode()).as("verify exit code; output:\n%s", verified).isEqualTo(6);
    assertThat(verified.all())
        .contains(quoted(source, "2023-05-12 00:00+00"))
        .contains("rows: source 336");
  }

  @Test
  void boundsInsideCompressedChunksCopyOnlyTheRowsInRange() {
    onBoth("tsl-compress");
    source.fixture("tsl-compress-data");
    offsetTargetIds();
    source.exec("SELECT compress_chunk(c) FROM show_chunks('public.metrics') c");
    // Dual writes on the target from May 20, compressed there in the May 25 chunk.
    target.exec(
        "INSERT INTO public.metrics (time, device_id, val) SELECT t, 'dual', 1"
            + " FROM generate_series('2023-05-20 00:00+00'::timestamptz, '2023-06-10 23:00+00',"
            + " '1 hour') t");
    compress(target, "2023-05-26 00:00+00");
    String cut = quoted(target, "2023-05-26 00:00+00");

    ToolRun staged = stage("--from", "2023-05-08T00:00:00Z", "--until", "2023-05-28T00:00:00Z");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 4 chunks");
    ToolRun copied = copy("--log-file", log.toString());
    assertOk(copied);
    assertThat(status(target, "2023-05-26 00:00+00") & 1)
        .as("the compressed target chunk %s that a bound falls inside is compressed again", cut)
        .isEqualTo(1);

    String range = "time >= '2023-05-08 00:00+00' AND time < '2023-05-28 00:00+00'";
    assertSameRows("public.metrics", range);
    assertThat(target.count("SELECT count(*) FROM public.metrics WHERE time < '2023-05-08'"))
        .as("target rows before --from")
        .isZero();
    assertThat(
            target.count("SELECT count(*) FROM public.metrics WHERE time >= '2023-05-28 00:00+00'"))
        .as("dual-written rows at or after --until survive (May 28 to June 10, hourly)")
        .isEqualTo(14 * 24);
    assertThat(compressedTable(target, "2023-05-26 00:00+00"))
        .as("the May 25 target chunk, compressed before the copy, is compressed again")
        .isNotNull();
    assertThat(compressedTable(target, "2023-05-05 00:00+00"))
        .as("the May 4 target chunk (cut by --from) was not compressed on the target, stays so")
        .isNull();
    assertCompressedLikeSource("2023-05-12 00:00+00");
    assertCompressedLikeSource("2023-05-19 00:00+00");
    assertOk(verify());
  }

  @Test
  void differentCompressionSettingsAreRefusedWithTheFix() {
    onBoth("tsl-compress");
    source.fixture("tsl-compress-data");
    compress(source, "2023-05-12 00:00+00");
    String scc = compressedTable(source, "2023-05-12 00:00+00");

    // Settings changed on the target after staging: copy refuses the chunk.
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    target.exec("ALTER TABLE public.metrics SET (timescaledb.compress_segmentby = '')");
    ToolRun copied = copy();
    assertThat(copied.exitCode()).as("copy exit code; output:\n%s", copied).isEqualTo(5);
    assertThat(copied.all())
        .contains(scc)
        .contains("public.metrics")
        .contains("segmentby [\"device_id\"] vs []")
        .contains("make the target's settings equal");
    assertThat(target.count("SELECT count(*) FROM __backfill.task WHERE worked IS NULL"))
        .as("tasks still pending after the refusal (the refused chunk among them)")
        .isPositive();
    assertThat(compressedTable(target, "2023-05-12 00:00+00"))
        .as("no compressed chunk created on the target")
        .isNull();

    // Staging with the settings already different fails before writing anything.
    assertOk(clean());
    ToolRun staged = stage("--until", "2023-06-01T00:00:00Z");
    assertThat(staged.exitCode()).as("stage exit code; output:\n%s", staged).isEqualTo(3);
    assertThat(staged.all()).contains(scc).contains("segmentby [\"device_id\"] vs []");
    assertThat(target.exists("__backfill.task")).as("__backfill after the failed stage").isFalse();
  }

  @Test
  void createdCompressedChunkTableIsBuiltLikeTimescaleDbsOwn() {
    String ddl =
        "CREATE TABLE public.metrics (time timestamptz NOT NULL, device_id text,"
            + " \"column< needs+quotes\" text DEFAULT 'my-label', val numeric(10, 2) NOT NULL);"
            + " SELECT create_hypertable('public.metrics', 'time');"
            + " ALTER TABLE public.metrics SET (timescaledb.compress,"
            + " timescaledb.compress_segmentby = 'device_id,\"column< needs+quotes\"',"
            + " timescaledb.compress_orderby = 'time DESC, val NULLS FIRST')";
    source.exec(ddl);
    target.exec(ddl);
    offsetTargetIds();
    source.exec(
        "INSERT INTO public.metrics SELECT t, d, 'l' || d, extract(epoch FROM t) / 3600"
            + " FROM generate_series('2023-05-01 00:00+00'::timestamptz, '2023-05-31 23:00+00',"
            + " '1 hour') t, (VALUES ('1'), ('2')) AS dev(d)");
    compress(source, "2023-05-12 00:00+00");

    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertOk(copy());
    assertSameRows("public.metrics", ALL);
    String s = compressedTable(source, "2023-05-12 00:00+00");
    String t = compressedTable(target, "2023-05-12 00:00+00");
    assertThat(t)
        .as("the created compressed chunk table: the source's name with bf_ before it")
        .isEqualTo(s.replace("_timescaledb_internal.", "_timescaledb_internal.bf_"));
    assertThat(shape(target, t))
        .as("DDL of target %s vs source %s", t, s)
        .isEqualTo(shape(source, s));
    assertCompressedLikeSource("2023-05-12 00:00+00");
    assertOk(verify());
  }

  /** Columns (type, storage, statistics, nullability), options and index columns of a table. */
  private static String shape(TestDb db, String table) {
    String rel = "'" + table.replace("'", "''") + "'::regclass";
    return db.value(
        "SELECT (SELECT string_agg(format('%I %s %s %s %s %s', attname,"
            + " format_type(atttypid, atttypmod), attstorage, COALESCE(attstattarget, -1),"
            + " attnotnull, pg_get_expr(d.adbin, d.adrelid)), ', ' ORDER BY attnum)"
            + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid"
            + " AND d.adnum = a.attnum WHERE attrelid = "
            + rel
            + " AND attnum > 0 AND NOT attisdropped)"
            + " || ' | ' || (SELECT COALESCE(array_to_string(reloptions, ','), '') FROM pg_class"
            + " WHERE oid = "
            + rel
            + ")"
            + " || ' | ' || (SELECT COALESCE(string_agg(regexp_replace(pg_get_indexdef(indexrelid),"
            + " '^.* USING ', ''), '; '), '') FROM pg_index WHERE indrelid = "
            + rel
            + ")");
  }

  @TempDir Path logs;
  private Path log;

  @org.junit.jupiter.api.BeforeEach
  void logFile() {
    log = logs.resolve("copy.log");
  }

  private ToolRun verify() {
    return tool("verify", "--source", source.uri(), "--target", target.uri(), "--parallelism", "1");
  }

  private static String chunkAt(String time) {
    return "SELECT format('%I.%I', chunk_schema, chunk_name) FROM timescaledb_information.chunks"
        + " WHERE hypertable_name = 'metrics' AND range_start <= '"
        + time
        + "'"
        + " AND range_end > '"
        + time
        + "'";
  }

  /** The chunk holding {@code time}, spelled as the tool names it (format('%I.%I')). */
  private static String quoted(TestDb db, String time) {
    return db.value(
        "SELECT format('%I.%I', chunk_schema, chunk_name)"
            + " FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"
            + " AND range_start <= '"
            + time
            + "' AND range_end > '"
            + time
            + "'");
  }

  private static void compress(TestDb db, String time) {
    db.value("SELECT compress_chunk((" + chunkAt(time) + ")::regclass)");
  }

  private static long status(TestDb db, String time) {
    return db.count(
        db.catalog(
            "SELECT status FROM {chunk} c"
                + " WHERE format('%I.%I', c.schema_name, c.table_name) = ("
                + chunkAt(time)
                + ")"));
  }

  /** The compressed chunk table of the chunk holding {@code time}, or null. */
  private static String compressedTable(TestDb db, String time) {
    return db.value(
        db.catalog(
            "SELECT format('%I.%I', c.compressed_schema, c.compressed_table) FROM {chunk} c"
                + " WHERE c.compressed_table IS NOT NULL"
                + " AND format('%I.%I', c.schema_name, c.table_name) = ("
                + chunkAt(time)
                + ")"));
  }

  /** The target chunk holding {@code time} has the source's compressed batches, byte for byte. */
  private void assertCompressedLikeSource(String time) {
    String s = compressedTable(source, time);
    String t = compressedTable(target, time);
    assertThat(s).as("source compressed chunk at %s", time).isNotNull();
    assertThat(t).as("target compressed chunk at %s (source has %s)", time, s).isNotNull();
    assertThat(target.fingerprint(t, null))
        .as("batches of target %s vs source %s", t, s)
        .isEqualTo(source.fingerprint(s, null));
  }

  /** Fingerprints of every compressed chunk table on the target, by chunk time range. */
  private String batchFingerprints() {
    StringBuilder out = new StringBuilder();
    for (var row :
        target.rows(
            target.catalog(
                "SELECT format('%I.%I', c.compressed_schema, c.compressed_table), ch.range_start"
                    + " FROM {chunk} c"
                    + " JOIN timescaledb_information.chunks ch ON ch.chunk_schema = c.schema_name"
                    + " AND ch.chunk_name = c.table_name"
                    + " WHERE c.compressed_table IS NOT NULL ORDER BY 2"))) {
      out.append(row.get(1)).append(' ').append(target.fingerprint(row.get(0), null)).append('\n');
    }
    return out.toString();
  }
}
