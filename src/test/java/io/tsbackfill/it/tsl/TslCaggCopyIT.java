package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Copying continuous aggregates: materialization chunks are copied like any chunk into the target's
 * materialization hypertable of the same cagg, and no copy leaves a range in the target's cagg
 * invalidation log, neither on the direct path nor through the hypertable. The target refreshes its
 * caggs before the backfill, as its policies would during dual writes, so its invalidation
 * thresholds lie above the backfilled data and every row copied with the trigger in place would be
 * logged.
 */
class TslCaggCopyIT extends TslIntegrationTest {
  private static final List<String> CAGGS =
      List.of("public.hourly", "public.daily", "public.monthly", "public.raw_max", "other.daily");
  private static final String TRIGGERS =
      "SELECT count(*) FROM pg_trigger WHERE tgname = 'ts_cagg_invalidation_trigger'";

  @Test
  void caggChunksAreCopiedDirectlyWithoutInvalidations() {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    offsetTargetIds();
    SqlScript.run(target, "tsl-caggs");
    refreshAll(target, "2023-07-01 00:00+00");
    long materializationLog = materializationInvalidations(target);

    ToolRun staged = stage("--until", "2023-07-01T00:00:00Z");
    assertOk(staged);
    assertThat(staged.out())
        .contains("public.daily (continuous aggregate): 1 chunk")
        .contains("Staged 15 chunks")
        .contains("created 15 target chunks");
    long triggers = target.count(TRIGGERS);
    ToolRun copied = copy();
    assertOk(copied);
    assertThat(copied.out()).contains("Copying 15 pending chunks").doesNotContain("(routed)");

    assertSameRows("public.raw", null);
    assertSameRows("other.raw", null);
    for (String cagg : CAGGS) {
      String[] v = cagg.split("\\.");
      assertSameRows(
          materialization(source, v[0], v[1]), materialization(target, v[0], v[1]), null);
      assertSameRows(cagg, null);
    }
    assertThat(hypertableInvalidations(target))
        .as("rows in the target's hypertable invalidation log after copy")
        .isZero();
    assertThat(materializationInvalidations(target))
        .as("rows in the target's materialization invalidation log: as before the copy")
        .isEqualTo(materializationLog);
    assertTriggersWork(triggers, "public.raw", "'2023-05-10 10:30+00', 1, 0");
  }

  @Test
  void routedCopiesLogNoInvalidationsEitherAndKeepTheTriggers() {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    SqlScript.run(target, "tsl-caggs");
    // The target's raw hypertable has 1-day chunks, and dual-written rows have created them for
    // May 11 to 21 already: the source chunk [May 11, May 18) falls on existing target chunks
    // only, [May 18, May 25) partly on new ones, and the others get chunks created by stage.
    target.exec("SELECT set_chunk_time_interval('public.raw', interval '1 day')");
    String dual =
        "INSERT INTO public.raw SELECT t, 99, 0 FROM generate_series("
            + "'2023-05-11 00:00+00'::timestamptz, '2023-05-21 23:00+00', '1 hour') t";
    source.exec(dual);
    target.exec(dual);
    refreshAll(source, "2023-07-01 00:00+00");
    refreshAll(target, "2023-07-01 00:00+00");
    assertThat(hypertableInvalidations(target)).isZero();

    assertOk(stage("--until", "2023-06-01T00:00:00Z", "--filter", "^public\\.raw$"));
    long triggers = target.count(TRIGGERS);
    ToolRun copied = copy();
    assertOk(copied);
    assertThat(target.count("SELECT count(*) FROM __backfill.task WHERE copy_path = 'routed'"))
        .as("routed chunks; copy output:\n%s", copied.out())
        .isEqualTo(2);

    assertSameRows("public.raw", null);
    assertThat(hypertableInvalidations(target))
        .as("rows in the target's hypertable invalidation log after routed copies")
        .isZero();
    // Versions that track changes without a trigger (2.25 on) have none to keep.
    assertThat(
            !target.layout().hasInvalidationTrigger()
                ? 0
                : target.count(
                    "SELECT count(*) FROM timescaledb_information.chunks c WHERE hypertable_name = 'raw'"
                        + " AND hypertable_schema = 'public' AND NOT EXISTS (SELECT 1 FROM pg_trigger tg"
                        + " WHERE tg.tgrelid = format('%I.%I', c.chunk_schema, c.chunk_name)::regclass"
                        + " AND tg.tgname = 'ts_cagg_invalidation_trigger')"))
        .as("target chunks of public.raw without the invalidation trigger, new ones included")
        .isZero();
    assertTriggersWork(
        triggers + (target.count(TRIGGERS) - triggers),
        "public.raw",
        "'2023-05-19 10:30+00', 1, 0");
  }

  @Test
  void integerTimeHypertableAndItsCaggAreStagedAndCopiedBelowAnIntegerBound() {
    SqlScript.run(source, "tsl-integer");
    SqlScript.run(source, "tsl-integer-data");
    offsetTargetIds();
    SqlScript.run(target, "tsl-integer");
    target.exec("CALL refresh_continuous_aggregate('public.readings_10', NULL, 2000)");

    ToolRun staged = stage("--until", "650", "--filter", "^public\\.readings$", "--cascade-up");
    assertOk(staged);
    assertThat(staged.out())
        .contains("public.readings: 7 chunks (1 cut by a bound), until 650")
        .contains("public.readings_10 (continuous aggregate): 1 chunk (1 cut by a bound)");
    assertOk(copy());

    assertSameRows("public.readings", "time < 650");
    String mat = materialization(target, "public", "readings_10");
    assertSameRows(materialization(source, "public", "readings_10"), mat, "bucket < 650");
    assertThat(target.count("SELECT count(*) FROM public.readings WHERE time >= 650")).isZero();
    assertThat(target.count("SELECT count(*) FROM " + mat + " WHERE bucket >= 650")).isZero();
    assertThat(hypertableInvalidations(target)).isZero();
  }

  /** Refreshes every cagg of tsl-caggs.sql up to {@code until}, lowest level first. */
  private static void refreshAll(TestDb db, String until) {
    for (String cagg : CAGGS) {
      db.exec("CALL refresh_continuous_aggregate('" + cagg + "', NULL, '" + until + "')");
    }
  }

  private static long materializationInvalidations(TestDb db) {
    return db.count(
        "SELECT count(*) FROM"
            + " _timescaledb_catalog.continuous_aggs_materialization_invalidation_log");
  }

  /**
   * The copy left as many invalidation triggers as it found, and they still log: a row written
   * below the threshold afterwards lands in the invalidation log.
   */
  private void assertTriggersWork(long triggersBefore, String table, String values) {
    assertThat(target.count(TRIGGERS))
        .as("invalidation triggers on the target after copy")
        .isEqualTo(triggersBefore);
    target.exec("INSERT INTO " + table + " VALUES (" + values + ")");
    assertThat(hypertableInvalidations(target))
        .as("invalidation log rows after an ordinary insert below the threshold")
        .isEqualTo(1);
  }
}
