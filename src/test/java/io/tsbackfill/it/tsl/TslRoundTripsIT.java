package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ProxyPair;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.TestDb;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Round trips per chunk of copy's attach path (whole chunks loaded into a table without indexes,
 * then attached in place of the target chunk), counted by a proxy in front of each server as
 * RoundTripsIT counts the other paths: per chunk is the difference between a copy of 30 chunks and
 * one of 10, divided by 20, so the command's fixed costs cancel out. The chunks have two indexes to
 * build before the swap, a grant to carry over and a storage option: the attach path's whole work,
 * in its own round trips.
 */
class TslRoundTripsIT extends TslIntegrationTest {
  private static final String FIRST_10 = "2024-01-11T00:00:00Z";
  private static final String ALL_40 = "2024-02-10T00:00:00Z";
  private static final String CHUNK_IDS =
      "SELECT string_agg(c.id::text, ',' ORDER BY c.id) FROM {chunk} c"
          + " JOIN _timescaledb_catalog.hypertable h ON h.id = c.hypertable_id"
          + " WHERE h.table_name = 'days'";

  /** Started by the first command through it; closed after each test. */
  @AutoClose private ProxyPair proxies;

  /**
   * The attach path: whole chunks loaded into a table without indexes, then attached in place of
   * the target chunk. The chunks have an index to build before the swap, a grant to carry over and
   * a storage option: the attach path's whole work, in its own round trips.
   */
  @Test
  void attachPathRoundTripsPerChunk() {
    source.exec(
        "CREATE TABLE public.days (time timestamptz NOT NULL, device int, value double precision,"
            + " note text)");
    source.exec(
        "SELECT create_hypertable('public.days', 'time', chunk_time_interval => interval '1 day')");
    source.exec("CREATE INDEX days_device_time ON public.days (device, time DESC)");
    for (TestDb db : List.of(source, target)) {
      // Roles belong to the server, and the two sides are servers of their own.
      db.exec(
          "DO $$ BEGIN CREATE ROLE attach_rt_reader; EXCEPTION WHEN duplicate_object THEN NULL;"
              + " END $$");
    }
    source.exec(
        "INSERT INTO public.days SELECT '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 hour',"
            + " i % 5, i / 7.0, 'row ' || i FROM generate_series(0, 40 * 24 - 1) i");
    SchemaRestore.restore(source, target);
    // What the target chunks have is what the attached tables must get (TimescaleDB passes both
    // on from the hypertable to its chunks).
    target.exec("ALTER TABLE public.days SET (fillfactor = 90)");
    target.exec("GRANT SELECT ON public.days TO attach_rt_reader");
    String idsBefore = target.value(target.catalog(CHUNK_IDS));

    assertOk(stage("--until", FIRST_10));
    Turns copy10 = copyThroughProxies();
    assertOk(stage("--until", ALL_40));
    Turns copy30 = copyThroughProxies();

    assertSameRows("public.days", null);
    assertThat(target.count("SELECT count(*) FROM __backfill.task WHERE copy_path = 'direct'"))
        .isEqualTo(40);
    List<String> before = List.of(idsBefore.split(","));
    assertThat(List.of(target.value(target.catalog(CHUNK_IDS)).split(",")))
        .as("target chunk ids after the copy (before: %s): every chunk attached anew", idsBefore)
        .hasSize(40)
        .doesNotContainAnyElementsOf(before);
    assertThat(
            target.value(
                "SELECT string_agg(DISTINCT concat(c.relacl, ' ', c.reloptions), '; ')"
                    + " || ': ' || count(*) FILTER (WHERE c.relacl::text LIKE '%attach_rt_reader=r/%'"
                    + " AND c.reloptions::text LIKE '%fillfactor=90%') || '/' || count(*)"
                    + " FROM show_chunks('public.days') s JOIN pg_class c ON c.oid = s"))
        .as("chunks with the grant and the storage option carried over")
        .endsWith(": 40/40");

    // Claim, facts, load table, COPY (two: its start, then the data), index builds and swap, and
    // the task's update with the commit.
    assertPerChunk("attach", copy10, copy30, 7, 3);
  }

  /**
   * The compressed-batches path: every source chunk compressed, the target's chunks too (with rows
   * of their own, which the batches replace).
   */
  @Test
  void compressedBatchesRoundTripsPerChunk() {
    for (TestDb db : List.of(source, target)) {
      db.exec(
          "CREATE TABLE public.days (time timestamptz NOT NULL, device int,"
              + " value double precision)");
      db.exec(
          "SELECT create_hypertable('public.days', 'time',"
              + " chunk_time_interval => interval '1 day')");
      db.exec(
          "ALTER TABLE public.days SET (timescaledb.compress,"
              + " timescaledb.compress_segmentby = 'device', timescaledb.compress_orderby = 'time')");
    }
    source.exec(
        "INSERT INTO public.days SELECT '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 hour',"
            + " i % 5, i / 7.0 FROM generate_series(0, 40 * 24 - 1) i");
    target.exec(
        "INSERT INTO public.days SELECT '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 day',"
            + " 9, -1 FROM generate_series(0, 39) i");
    for (TestDb db : List.of(source, target)) {
      db.exec("SELECT count(compress_chunk(c)) FROM show_chunks('public.days') c");
    }

    assertOk(stage("--until", FIRST_10));
    Turns copy10 = copyThroughProxies();
    assertOk(stage("--until", ALL_40));
    Turns copy30 = copyThroughProxies();

    assertSameRows("public.days", null);
    assertThat(
            target.count(
                "SELECT count(*) FROM timescaledb_information.chunks"
                    + " WHERE hypertable_name = 'days' AND is_compressed"))
        .as("target chunks still compressed")
        .isEqualTo(40);
    // Claim, settings and columns, deletes, COPY's two, ANALYZE of the compressed chunk, the
    // task's update with the commit; on the source: the chunk, then settings, columns and whether
    // it has rows beside its batches, COPY, commit.
    assertPerChunk("compressed", copy10, copy30, 7, 4);
  }

  /**
   * The worker's round trips per chunk on each side, between a copy of 10 chunks and one of 30
   * more. A pool checks a connection that sat idle before lending it (one round trip, or not, as
   * the timing falls): jitter well under a chunk's worth over 20 chunks.
   */
  private static void assertPerChunk(
      String path, Turns copy10, Turns copy30, int maxTarget, int maxSource) {
    double target = (copy30.target() - copy10.target()) / 20.0;
    double source = (copy30.source() - copy10.source()) / 20.0;
    System.out.printf(
        "%s: copy %.2f round trips per chunk on the target, %.2f on the source"
            + " (10 chunks: %s; 30: %s)%n",
        path, target, source, copy10, copy30);
    assertThat(Math.floor(target))
        .as("%s: target round trips per chunk", path)
        .isLessThanOrEqualTo(maxTarget);
    assertThat(Math.floor(source))
        .as("%s: source round trips per chunk", path)
        .isLessThanOrEqualTo(maxSource);
  }

  /** Copies at -p 1 through a proxy to each server; the worker's round trips on each side. */
  private Turns copyThroughProxies() {
    if (proxies == null) {
      // A network's one-way latency, for the proxies to count as a network would.
      proxies = ProxyPair.start(source, target, Duration.ofMillis(5));
    }
    ProxyPair.Mark mark = proxies.mark();
    assertOk(
        tool(
            "copy",
            "--source",
            proxies.sourceUri(),
            "--target",
            proxies.targetUri(),
            "-p",
            "1",
            // Its small chunks are attached too: the attach path's round trips are counted.
            "--attach",
            "on"));
    // At -p 1 the worker's connection is the busiest on each side (the target's other one
    // runs ANALYZE after commit, off the chunk's path).
    return new Turns(
        Collections.max(proxies.sourceTurnsSince(mark)),
        Collections.max(proxies.targetTurnsSince(mark)));
  }

  private record Turns(int source, int target) {}
}
