package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tsbackfill.testbed.NativeBeds;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Continuous aggregates end equal to the source's although the source had changed rows in regions
 * they had materialized and not refreshed them when copy read the materialization chunks: the
 * runbook (schema restore; changes on the source; {@code stage --cascade-up}; {@code copy}; the
 * source's policies refresh what was pending; dual writes after the cut-over; {@code
 * refresh-caggs}; {@code verify --caggs}) on the fixtures in {@code fixtures/invalidations}.
 *
 * <p>Equal means: each cagg holds the same rows on both sides (fingerprints of every column; the
 * fixture's values are whole numbers, so sums and averages do not depend on summation order), and
 * {@code verify --caggs} finds no difference. Then the target's own policies refresh whatever the
 * target still logs as pending (a copy the target could not keep from logging), which must change
 * nothing: nothing stale, nothing counted twice.
 */
class TslCaggInvalidationsIT extends TslIntegrationTest {
  private static final List<String> METRICS_CAGGS =
      List.of("public.hourly", "public.daily", "public.monthly");
  private static final List<String> ALL_CAGGS =
      List.of(
          "public.hourly",
          "public.daily",
          "public.monthly",
          "public.daily_berlin",
          "public.shifted",
          "public.ticks_100");

  /** The scenario of the report: changes pending in the logs when copy runs. */
  @Test
  void changesPendingAtCopyTimeAreRefreshedOnTheTarget() {
    prepare();
    SqlScript.run(source, "invalidations/changes");
    Map<String, String> stale = fingerprints(ALL_CAGGS);

    ToolRun refreshed = backfill();

    assertThat(refreshed.out())
        .as("refresh-caggs refreshes carried windows of every cagg")
        .contains("refreshed public.hourly from 2024-01-03 00:00:00+00 to 2024-01-03 06:00:00+00")
        .contains("refreshed public.daily from 2024-01-12 00:00:00+00 to 2024-01-13 00:00:00+00")
        .contains("refreshed public.monthly from 2024-01-01 00:00:00+00 to 2024-02-01 00:00:00+00")
        .contains("refreshed public.ticks_100 from 2000 to 2100")
        .contains(
            "refreshed public.daily_berlin from 2024-01-09 23:00:00+00 to 2024-01-10 23:00:00+00")
        .contains("refreshed public.shifted from 2024-01-14 01:30:00+00 to 2024-01-14 07:30:00+00")
        .contains("carried invalidations")
        .contains("watermark gap");
    assertCaggsEqual(ALL_CAGGS);
    assertThat(fingerprints(ALL_CAGGS))
        .as("the source's caggs changed after the copy (else the test proves nothing)")
        .doesNotContainEntry("public.hourly", stale.get("public.hourly"))
        .doesNotContainEntry("public.ticks_100", stale.get("public.ticks_100"));
    assertVerifyCaggs();
    assertUnchangedByTargetCatchUp(ALL_CAGGS);
  }

  /** The same once the source refreshed its changes before the copy: nothing to carry. */
  @Test
  void sourceRefreshedBeforeTheCopy() {
    prepare();
    SqlScript.run(source, "invalidations/changes");
    SqlScript.run(source, "invalidations/source-refresh");

    ToolRun refreshed = backfill();

    assertThat(refreshed.out())
        .as("nothing was stale in what copy read")
        .doesNotContain("carried invalidations");
    assertCaggsEqual(ALL_CAGGS);
    assertVerifyCaggs();
    assertUnchangedByTargetCatchUp(ALL_CAGGS);
  }

  /**
   * Three levels, the source having refreshed only the lowest one: what is stale in the upper two
   * waits in the log of the lowest level's materialization hypertable, and must be carried to both
   * (the monthly one widened to its month).
   */
  @Test
  void threeLevelHierarchyStaleAboveTheLowestLevel() {
    prepare();
    SqlScript.run(source, "invalidations/changes");
    SqlScript.run(source, "invalidations/refresh-hourly");
    assertThat(
            source.count(
                "SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log l"
                    + " JOIN _timescaledb_catalog.continuous_agg ca"
                    + " ON ca.mat_hypertable_id = l.hypertable_id"
                    + " WHERE ca.user_view_name = 'hourly'"))
        .as("changes of public.hourly pending for public.daily on the source")
        .isPositive();

    ToolRun refreshed = backfill();

    // How finely the hourly refresh logged its changes for the level above differs by release
    // (2.23 to 2.27 log one range per transaction): the windows of public.daily are not pinned.
    assertThat(refreshed.out().lines())
        .as("carried windows of the two upper levels")
        .anyMatch(
            l -> l.contains("refreshed public.daily from") && l.contains("carried invalidations"))
        .anyMatch(
            l ->
                l.contains("refreshed public.monthly from 2024-01-01 00:00:00+00 to 2024-02-01")
                    && l.contains("carried invalidations"));
    assertThat(refreshed.out().indexOf("refreshed public.hourly from"))
        .as("lowest level first:\n%s", refreshed.out())
        .isLessThan(refreshed.out().indexOf("refreshed public.daily from"));
    assertThat(refreshed.out().indexOf("refreshed public.daily from"))
        .isLessThan(refreshed.out().indexOf("refreshed public.monthly from"));
    assertCaggsEqual(METRICS_CAGGS);
    assertVerifyCaggs();
    assertUnchangedByTargetCatchUp(METRICS_CAGGS);
  }

  /** An integer-time cagg (buckets of 100 ticks), only its hypertable staged. */
  @Test
  void integerTimeCagg() {
    prepare();
    SqlScript.run(source, "invalidations/changes");
    assertOk(stage("--until", "10000", "--filter", "^public\\.ticks$", "--cascade-up"));
    assertOk(copy());
    SqlScript.run(source, "invalidations/source-refresh");
    SqlScript.run(source, "invalidations/dual-write");
    SqlScript.run(target, "invalidations/dual-write");
    ToolRun refreshed = refreshCaggs("--filter", "^public\\.ticks_100$");
    assertOk(refreshed);

    assertThat(refreshed.out())
        .contains("refreshed public.ticks_100 from 1200 to 1300")
        .contains("refreshed public.ticks_100 from 2000 to 2100")
        .contains("refreshed public.ticks_100 from 5000 to 5100")
        .contains("refreshed public.ticks_100 from 8000 to 9000 (exclusive)");
    assertCaggsEqual(List.of("public.ticks_100"));
    assertVerifyCaggs();
    assertUnchangedByTargetCatchUp(List.of("public.ticks_100"));
  }

  /** public.daily's materialized chunks compressed on the source (and so on the target). */
  @Test
  void compressedMaterializationChunks() {
    SqlScript.run(source, "invalidations/schema");
    SqlScript.run(source, "invalidations/data");
    SqlScript.run(source, "invalidations/compress-daily");
    SchemaRestore.restore(source, target);
    SqlScript.run(source, "invalidations/changes");
    assertThat(
            source.count(
                "SELECT count(*) FROM timescaledb_information.chunks c"
                    + " JOIN timescaledb_information.continuous_aggregates a"
                    + " ON a.materialization_hypertable_schema = c.hypertable_schema"
                    + " AND a.materialization_hypertable_name = c.hypertable_name"
                    + " WHERE a.view_name = 'daily' AND c.is_compressed"))
        .as("compressed materialization chunks of public.daily on the source")
        .isPositive();

    backfill();

    assertCaggsEqual(METRICS_CAGGS);
    assertVerifyCaggs();
    assertUnchangedByTargetCatchUp(METRICS_CAGGS);
  }

  /**
   * TimescaleDB 2.22's WAL-decoded invalidations: the pending changes wait in the source's
   * replication slot, not in a log; copy peeks at them. Runs on the 2.22 bed, whose servers have
   * {@code wal_level = logical} (scripts/testbed/tsl.sh), whatever bed the other tests use.
   */
  @Test
  void walDecodedInvalidations() {
    Optional<NativeBeds.Bed> walBed =
        NativeBeds.all().stream().filter(b -> b.version().startsWith("2.22.")).findFirst();
    assumeTrue(walBed.isPresent(), "needs the TimescaleDB 2.22 bed of scripts/testbed/tsl.sh");
    pair.close();
    pair = walBed.get().testBed().freshPair("TslCaggInvalidationsIT_wal");
    source = pair.source();
    target = pair.target();
    // The beds commit asynchronously, and a refresh decodes the slot only up to the WAL flushed so
    // far: a change committed just before would stay pending in the slot after the refresh that
    // materialized it, so what copy carries would depend on the wal writer's timing.
    for (TestDb db : List.of(source, target)) {
      db.exec("ALTER DATABASE \"" + db.name() + "\" SET synchronous_commit = on");
    }
    try {
      walDecodedInvalidationsOnThisPair();
    } finally {
      // A database with a logical replication slot cannot be dropped.
      for (TestDb db : List.of(source, target)) {
        db.exec(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE database = current_database() AND NOT active");
      }
    }
  }

  private void walDecodedInvalidationsOnThisPair() {
    assumeTrue(
        "t"
            .equals(
                source.value(
                    "SELECT to_regproc('_timescaledb_functions.cagg_parse_invalidation_record')"
                        + " IS NOT NULL AND current_setting('wal_level') = 'logical'")),
        "needs TimescaleDB 2.22 (WAL-decoded cagg invalidations) with wal_level = logical");
    source.exec(
        "CREATE TABLE public.wal (time timestamptz NOT NULL, device int NOT NULL, val float8,"
            + " PRIMARY KEY (device, time))");
    source.exec(
        "SELECT create_hypertable('public.wal', 'time', chunk_time_interval => interval '1 day')");
    source.exec(
        "CREATE MATERIALIZED VIEW public.wal_hourly WITH (timescaledb.continuous,"
            + " timescaledb.invalidate_using = 'wal') AS SELECT time_bucket('1 hour', time) AS bucket,"
            + " device, count(*) AS n, sum(val) AS total FROM public.wal GROUP BY 1, 2 WITH NO DATA");
    source.exec(
        "INSERT INTO public.wal SELECT t, d, d FROM generate_series('2024-01-01 00:00+00'::timestamptz,"
            + " '2024-01-09 23:55+00', '5 minutes') t, generate_series(1, 3) d");
    source.exec(
        "CALL refresh_continuous_aggregate('public.wal_hourly', NULL, '2024-01-08 00:00+00')");
    SchemaRestore.restore(source, target);
    // A schema restore brings no replication slot; refresh-caggs names the one to create.
    ToolRun noSlot = refreshCaggs();
    assertThat(noSlot.exitCode())
        .as("refresh-caggs without the target's slot:\n%s", noSlot)
        .isEqualTo(3);
    assertThat(noSlot.err()).contains("pg_create_logical_replication_slot");
    target.exec(
        "SELECT pg_create_logical_replication_slot(format('ts_%s_cagg', oid),"
            + " _timescaledb_functions.invalidation_plugin_name()) FROM pg_database"
            + " WHERE datname = current_database()");
    source.exec(
        "INSERT INTO public.wal SELECT t, 9, 42 FROM generate_series('2024-01-03 00:00+00'::timestamptz,"
            + " '2024-01-03 02:00+00', '10 minutes') t");
    source.exec(
        "DELETE FROM public.wal WHERE time >= '2024-01-05 00:00+00' AND time < '2024-01-05 01:00+00'");
    assertThat(hypertableInvalidations(source))
        .as("nothing in the source's hypertable log")
        .isZero();

    assertOk(
        stage("--until", "2024-01-10T00:00:00Z", "--filter", "^public\\.wal$", "--cascade-up"));
    assertOk(copy());
    assertThat(
            target.count(
                "SELECT count(*) FROM __backfill.cagg_invalidation WHERE source_log = 'wal'"))
        .as("changes carried from the source's slot")
        .isPositive();
    source.exec(
        "CALL refresh_continuous_aggregate('public.wal_hourly', NULL, '2024-01-08 00:00+00')");
    ToolRun refreshed = refreshCaggs();
    assertOk(refreshed);
    assertThat(refreshed.out())
        .contains(
            "refreshed public.wal_hourly from 2024-01-03 00:00:00+00 to 2024-01-03 03:00:00+00");
    assertCaggsEqual(List.of("public.wal_hourly"));
    // The target decoded the copied rows as changes; refreshing them must change nothing.
    target.exec(
        "CALL refresh_continuous_aggregate('public.wal_hourly', NULL, '2024-01-08 00:00+00')");
    assertCaggsEqual(List.of("public.wal_hourly"));
  }

  /** Both sides get the fixture's schema and data, the target by the runbook's schema restore. */
  private void prepare() {
    SqlScript.run(source, "invalidations/schema");
    SqlScript.run(source, "invalidations/data");
    SchemaRestore.restore(source, target);
  }

  /**
   * stage (both hypertables, caggs cascaded), copy, the source's policies catch up, dual writes
   * after the cut-over, refresh-caggs; the refresh-caggs run, which succeeded.
   */
  private ToolRun backfill() {
    assertOk(
        stage("--until", "2024-01-24T00:00:00Z", "--filter", "^public\\.metrics$", "--cascade-up"));
    assertOk(stage("--until", "10000", "--filter", "^public\\.ticks$", "--cascade-up"));
    ToolRun copied = copy();
    assertOk(copied);
    SqlScript.run(source, "invalidations/source-refresh");
    SqlScript.run(source, "invalidations/dual-write");
    SqlScript.run(target, "invalidations/dual-write");
    ToolRun refreshed = refreshCaggs();
    assertOk(refreshed);
    return refreshed;
  }

  private void assertCaggsEqual(List<String> caggs) {
    for (String cagg : caggs) {
      assertSameRows(cagg, null);
    }
  }

  private Map<String, String> fingerprints(List<String> caggs) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String cagg : caggs) {
      out.put(cagg, source.fingerprint(cagg, null));
    }
    return out;
  }

  private void assertVerifyCaggs() {
    ToolRun verified =
        tool("verify", "--source", source.uri(), "--target", target.uri(), "--caggs");
    assertOk(verified);
    assertThat(verified.out()).doesNotContain("DIFFERENT").contains(" 0 different");
  }

  /** The target's policies refresh what it still logs as pending: nothing may change. */
  private void assertUnchangedByTargetCatchUp(List<String> caggs) {
    SqlScript.run(target, "invalidations/target-catch-up");
    assertCaggsEqual(caggs);
  }
}
