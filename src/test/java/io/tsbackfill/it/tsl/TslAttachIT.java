package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The load-then-index path on a target with the Timescale License: whole chunks are loaded into a
 * table without indexes and attached in place of the target chunk with create_chunk(...,
 * chunk_table), which builds the indexes once. The attached chunks keep their names, slices,
 * indexes, constraints, grants and options; a chunk cut by --until and chunks that continuous
 * aggregates read are loaded into their indexed tables as before; stale target rows go; verify
 * passes. A second test measures the two ways on the same data and prints the ratio.
 */
class TslAttachIT extends TslIntegrationTest {
  private static final String DDL =
      "CREATE TABLE public.%1$s (time timestamptz NOT NULL, device_id int, val float8"
          + " CHECK (val > -1e9), note text DEFAULT 'none');"
          + " SELECT create_hypertable('public.%1$s', 'time', chunk_time_interval => interval '1 day');"
          + " CREATE INDEX %1$s_device_time ON public.%1$s (device_id, time DESC);"
          + " CREATE INDEX %1$s_note ON public.%1$s (note);"
          + " ALTER TABLE public.%1$s SET (fillfactor = 90)";
  private static final String CHUNK_IDS =
      "SELECT string_agg(c.table_name || '=' || c.id, ',' ORDER BY c.table_name)"
          + " FROM {chunk} c JOIN _timescaledb_catalog.hypertable h"
          + " ON h.id = c.hypertable_id WHERE h.table_name = '%s'";

  @Test
  void wholeChunksAreLoadedThenAttachedWithEverythingTheChunkHad() {
    for (TestDb db : List.of(source, target)) {
      db.exec(String.format(Locale.ROOT, DDL, "readings"));
      db.exec(
          "DO $$ BEGIN CREATE ROLE attach_reader; EXCEPTION WHEN duplicate_object THEN NULL;"
              + " END $$");
      db.exec("GRANT SELECT ON public.readings TO attach_reader");
      // A cagg on a second hypertable: its chunks must keep their tables (no invalidations).
      db.exec(
          "CREATE TABLE public.watched (time timestamptz NOT NULL, v int);"
              + " SELECT create_hypertable('public.watched', 'time', chunk_time_interval => interval '1 day')");
      db.exec(
          "CREATE MATERIALIZED VIEW public.watched_hourly WITH (timescaledb.continuous) AS"
              + " SELECT time_bucket('1 hour', time) AS bucket, sum(v) FROM public.watched GROUP BY 1"
              + " WITH NO DATA");
    }
    source.exec(
        "INSERT INTO public.readings SELECT '2024-03-01 00:00+00'::timestamptz"
            + " + m * interval '1 minute', d, m * 0.25 + d, CASE WHEN m % 3 = 0 THEN NULL ELSE 'n' || (m % 7) END"
            + " FROM generate_series(0, 4 * 1440 - 1) m, generate_series(1, 3) d");
    source.exec(
        "INSERT INTO public.watched SELECT '2024-03-01 00:00+00'::timestamptz"
            + " + m * interval '10 minutes', m FROM generate_series(0, 3 * 144 - 1) m");
    // On the target: a stale row in a whole chunk (replaced), dual-written rows after --until.
    target.exec("INSERT INTO public.readings VALUES ('2024-03-01 05:00+00', 1, 123456, 'stale')");
    for (TestDb db : List.of(source, target)) {
      db.exec(
          "INSERT INTO public.readings VALUES ('2024-03-04 18:00+00', 7, 1, 'dual'),"
              + " ('2024-03-04 19:00+00', 7, 2, 'dual')");
    }
    target.exec("DELETE FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log");

    assertOk(stage("--until", "2024-03-04T12:00:00Z"));
    String readingsBefore =
        target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "readings")));
    String watchedBefore =
        target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "watched")));
    ToolRun copied = copy("--attach", "on");
    assertOk(copied);

    assertSameRows("public.readings", "time < '2024-03-04 12:00+00'");
    assertThat(
            target.rows(
                "SELECT note, count(*) FROM public.readings"
                    + " WHERE time >= '2024-03-04 12:00+00' GROUP BY 1"))
        .as("target rows after --until: the dual-written ones, untouched")
        .containsExactly(List.of("dual", "2"));
    assertSameRows("public.watched", null);
    assertThat(target.count("SELECT count(*) FROM public.readings WHERE note = 'stale'")).isZero();

    // Same chunk names; the three whole chunks got new chunk ids (attached), the cut one did not,
    // nor did the chunks of the hypertable a cagg reads.
    String readingsAfter =
        target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "readings")));
    List<String> before = List.of(readingsBefore.split(","));
    List<String> after = List.of(readingsAfter.split(","));
    assertThat(names(after)).isEqualTo(names(before));
    assertThat(after.stream().filter(before::contains).count())
        .as(
            "chunks of readings that kept their id (before %s, after %s)",
            readingsBefore, readingsAfter)
        .isEqualTo(1);
    assertThat(target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "watched"))))
        .isEqualTo(watchedBefore);
    assertThat(
            target.count(
                "SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log"))
        .as("cagg invalidations logged by the copy")
        .isZero();

    // Every readings chunk looks like one TimescaleDB made: indexes, constraints, grants, options
    // (chunk names differ between the databases: chunk ids do).
    String shape =
        "SELECT string_agg(x, ' | ' ORDER BY x) FROM ("
            + " SELECT (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid)"
            + " || ' indexes, ' || (SELECT count(*) FROM pg_constraint k WHERE k.conrelid = c.oid)"
            + " || ' constraints, acl ' || COALESCE(c.relacl::text, '-') || ', options '"
            + " || COALESCE(c.reloptions::text, '-')"
            + " || ', triggers ' || (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid)"
            + " || ', analyzed ' || (c.reltuples >= 0) AS x"
            + " FROM show_chunks('public.readings') s JOIN pg_class c ON c.oid = s) q";
    String targetShape = target.value(shape);
    assertThat(targetShape)
        .as("target chunks")
        .isEqualTo(source.value(shape).replace(", analyzed false", ", analyzed true"));
    assertThat(targetShape)
        .contains("attach_reader=r/")
        .contains("fillfactor=90")
        .contains("3 indexes")
        .doesNotContain("analyzed false");
    assertThat(target.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'bf\\_load\\_%'"))
        .as("load tables left behind")
        .isZero();
    assertThat(
            target
                .rows(
                    "EXPLAIN SELECT * FROM public.readings WHERE device_id = 2"
                        + " AND time > '2024-03-02 10:00+00' AND time < '2024-03-02 11:00+00'")
                .toString())
        .as("the attached chunk's index is used")
        .contains("_readings_device_time");

    ToolRun verified =
        tool("verify", "--source", source.uri(), "--target", target.uri(), "--parallelism", "1");
    assertOk(verified);
    assertThat(verified.out()).contains("7 equal, 0 failed");

    // Copying again (a restage after clean) attaches again and stays exact.
    assertOk(clean());
    assertOk(stage("--until", "2024-03-04T12:00:00Z", "--filter", "readings"));
    assertOk(copy("--attach", "on"));
    assertSameRows("public.readings", "time < '2024-03-04 12:00+00'");
    assertThat(target.value(shape)).isEqualTo(targetShape);
  }

  @Test
  void loadThenIndexAgainstCopyIntoIndexedChunks() {
    long rows = Long.parseLong(System.getenv().getOrDefault("BACKFILL_IT_ATTACH_ROWS", "60000"));
    long minutes = rows / 3;
    for (String table : List.of("indexed", "attached")) {
      source.exec(String.format(Locale.ROOT, DDL, table));
      target.exec(String.format(Locale.ROOT, DDL, table));
      source.exec(
          "INSERT INTO public."
              + table
              + " SELECT '2024-03-01 00:00+00'::timestamptz"
              + " + interval '4 days' * m / "
              + minutes
              + ", d, sin(m) * 1000, md5(m::text)"
              + " FROM generate_series(0, "
              + (minutes - 1)
              + ") m, generate_series(1, 3) d");
    }
    // Autovacuum would set the indexed chunks' pages all-visible whenever it came by; the
    // comparison below is about what the copy itself leaves. Chunks take their hypertable's
    // storage options.
    target.exec("ALTER TABLE public.indexed SET (autovacuum_enabled = false)");
    assertOk(stage("--until", "2030-01-01T00:00:00Z", "--filter", "^public\\.indexed$"));
    String idsBefore =
        target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "indexed")));
    assertOk(copy("--attach", "off"));
    assertThat(target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "indexed"))))
        .as("--attach off: chunks kept")
        .isEqualTo(idsBefore);
    assertOk(stage("--until", "2030-01-01T00:00:00Z", "--filter", "^public\\.attached$"));
    assertOk(copy("--attach", "on"));
    assertSameRows("public.indexed", null);
    assertSameRows("public.attached", null);
    // The loaded rows were written frozen (COPY FREEZE into the table made in the transaction), so
    // the ANALYZE after commit finds the pages each COPY batch filled all-visible without a vacuum;
    // rows copied into an existing chunk leave every page for a vacuum to visit.
    assertThat(allVisibleShare("attached"))
        .as("attached: share of pages all-visible")
        .isGreaterThan(0.5);
    assertThat(allVisibleShare("indexed")).as("indexed: share of pages all-visible").isZero();

    double indexed = seconds("indexed");
    double attached = seconds("attached");
    System.out.printf(
        Locale.ROOT,
        "ATTACH %d rows, 3 indexes: COPY into indexed chunks %.3f s (%.0f rows/s);"
            + " load then attach %.3f s (%.0f rows/s); ratio attach/indexed %.2f%n",
        rows,
        indexed,
        rows / indexed,
        attached,
        rows / attached,
        attached / indexed);
  }

  private double allVisibleShare(String table) {
    return Double.parseDouble(
        target.value(
            "SELECT sum(c.relallvisible)::float8 / sum(c.relpages) FROM show_chunks('public."
                + table
                + "') s JOIN pg_class c ON c.oid = s"));
  }

  /**
   * The swap goes out as one batch: when another session holds the chunk, its LOCK TABLE times out
   * inside the batch, the chunk's transaction rolls back with the old chunk as it was and no load
   * table left, and the failure (SQLSTATE 55P03) names the session that held it. Once the lock is
   * gone, a copy attaches.
   */
  @Test
  void aChunkHeldByAnotherSessionTimesOutAndKeepsTheOldChunk() throws Exception {
    for (TestDb db : List.of(source, target)) {
      db.exec(String.format(Locale.ROOT, DDL, "held"));
    }
    source.exec(
        "INSERT INTO public.held SELECT '2024-03-01 00:00+00'::timestamptz + m * interval '1 hour',"
            + " 1, m, 'n' FROM generate_series(0, 23) m");
    target.exec("INSERT INTO public.held VALUES ('2024-03-01 05:00+00', 1, 123456, 'stale')");
    assertOk(stage("--until", "2024-03-02T00:00:00Z"));
    String chunk = target.value("SELECT c::text FROM show_chunks('public.held') c");
    String idsBefore = target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "held")));

    try (Connection holder = target.connect()) {
      holder.setAutoCommit(false);
      int holderPid;
      try (Statement st = holder.createStatement()) {
        st.execute("LOCK TABLE " + chunk + " IN ACCESS SHARE MODE");
        try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          holderPid = rs.getInt(1);
        }
      }
      ToolRun held = copy("--attach", "on", "--lock-timeout", "500ms", "--retries", "0");
      assertThat(held.exitCode()).as("copy while the chunk is held: %s", held).isNotZero();
      assertThat(target.rows("SELECT copy_sqlstate, copy_message FROM __backfill.task"))
          .singleElement()
          .satisfies(
              row -> {
                assertThat(row.get(0)).isEqualTo("55P03");
                assertThat(row.get(1)).contains("pid " + holderPid + " ");
              });
      holder.rollback();
    }
    assertThat(target.value("SELECT note FROM public.held")).isEqualTo("stale");
    assertThat(target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "held"))))
        .as("the old chunk, kept")
        .isEqualTo(idsBefore);
    assertThat(target.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'bf\\_load\\_%'"))
        .as("load tables left behind")
        .isZero();

    assertOk(copy("--attach", "on"));
    assertSameRows("public.held", null);
    assertThat(target.value(target.catalog(String.format(Locale.ROOT, CHUNK_IDS, "held"))))
        .as("the chunk, attached anew")
        .isNotEqualTo(idsBefore);
  }

  /** Seconds spent in the copy transactions of one hypertable's chunks. */
  private double seconds(String table) {
    return Double.parseDouble(
        target.value(
            "SELECT sum(extract(epoch FROM upper(worked) - lower(worked))) FROM __backfill.task"
                + " WHERE hypertable_name = '"
                + table
                + "'"));
  }

  private static List<String> names(List<String> nameIds) {
    return nameIds.stream().map(s -> s.substring(0, s.indexOf('='))).toList();
  }
}
