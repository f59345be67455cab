package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;

/**
 * The two write paths beyond {@link StageCopyIT}: the routed path (its delete is built from the
 * source chunk's CHECK constraints) with quoted names, the column-type zoo and every time type; a
 * restored target whose source got new chunks afterwards (both paths in one run); a hundred
 * space-partitioned chunks with bigint time on both paths; columns dropped and added again; rows of
 * every size the COPY pipe buffers differently.
 */
class PathsIT extends IntegrationTest {

  private void assertOnlyPath(ToolRun copied, String path) {
    assertOk(copied);
    String other = path.equals("direct") ? "routed" : "direct";
    assertThat(copied.out()).contains("(" + path + ")").doesNotContain("(" + other + ")");
    assertThat(taskCount("copy_path <> '" + path + "'"))
        .as("tasks not on the %s path", path)
        .isZero();
  }

  /** The target holds exactly the source's rows where {@code where} holds, and no others. */
  private void assertCopiedExactly(String table, String where) {
    assertSameRows(table, where);
    assertThat(target.count("SELECT count(*) FROM " + table + " WHERE NOT (" + where + ")"))
        .as("target rows of %s outside %s", table, where)
        .isZero();
  }

  @Test
  void quotedIdentifiersAndEveryColumnTypeOnTheRoutedPath() {
    sourceFixtureWithFreshTarget("zoo", "textio");
    // Other chunk intervals on the target: no target chunk ever has the source's slices, so even
    // the chunks that the target-only rows below create leave every task on the routed path.
    target.exec("SELECT set_chunk_time_interval('\"Zoo\".\"Mixed Case\"', interval '6 hours')");
    // A stale row in range must be replaced, a row after --until kept.
    target.exec(
        "INSERT INTO \"Zoo\".\"Mixed Case\" (\"Time\", \"select\", t) VALUES"
            + " ('2024-04-01 05:00+00', -1, 'stale'), ('2024-04-03 01:00+00', -2, 'after until')");
    assertOk(stage("--filter", "^\"Zoo\"\\.\"Mixed Case\"$", "--until", "2024-04-03T00:00:00Z"));
    assertOk(stage("--filter", "acl_log", "--until", "2024-06-01T00:00:00Z"));
    assertOnlyPath(copyRouted("-p", "2"), "routed");

    assertSameRows("\"Zoo\".\"Mixed Case\"", "\"Time\" < '2024-04-03 00:00+00'");
    assertThat(
            target.value(
                "SELECT string_agg(\"select\"::text || '=' || t, ',') FROM \"Zoo\".\"Mixed Case\""
                    + " WHERE \"select\" < 0"))
        .as("target-only rows: the stale one replaced, the one after --until kept")
        .isEqualTo("-2=after until");
    assertThat(target.value("SELECT t FROM \"Zoo\".\"Mixed Case\" WHERE \"select\" = 4"))
        .isEqualTo("tab\tnewline\nback\\slash");
    assertThat(target.count("SELECT count(*) FROM \"Zoo\".\"Mixed Case\" WHERE \"select\" IS NULL"))
        .as("the row that is NULL but for its time")
        .isEqualTo(1);
    assertSameRows("public.acl_log", null);
  }

  @Test
  void routedDeletesReachTheTargetRowsOfTheRangeInChunksCutOtherwise() {
    sourceFixtureWithFreshTarget("metrics");
    // 14-day target chunks: [04-27, 05-11) holds the staged source chunk [05-04, 05-11) and the
    // week before it; [05-11, 05-25) lies outside the staged range.
    target.exec("SELECT set_chunk_time_interval('public.metrics', interval '14 days')");
    target.exec(
        "INSERT INTO public.metrics VALUES ('2023-05-01 00:00+00', 'before', -1),"
            + " ('2023-05-06 00:00+00', 'stale', -2), ('2023-05-10 23:00+00', 'stale', -3),"
            + " ('2023-05-11 00:00+00', 'after', -4)");
    assertOk(stage("--from", "2023-05-04T00:00:00Z", "--until", "2023-05-11T00:00:00Z"));
    assertOnlyPath(copy("-p", "1"), "routed");

    String range = "time >= '2023-05-04 00:00+00' AND time < '2023-05-11 00:00+00'";
    assertSameRows("public.metrics", range);
    assertThat(
            target.value(
                "SELECT string_agg(device_id, ',' ORDER BY time) FROM public.metrics"
                    + " WHERE NOT ("
                    + range
                    + ")"))
        .as("target rows outside the copied range, also those in a target chunk it shares")
        .isEqualTo("before,after");
  }

  @Test
  void routedDeletesGoThroughTheHypertableWhenTheTargetIsPartitionedByAnotherColumn() {
    String table =
        "CREATE TABLE public.shifted (time timestamptz NOT NULL, seen timestamptz NOT NULL, v int)";
    source.exec(table);
    source.exec(
        "SELECT create_hypertable('public.shifted', 'time', chunk_time_interval => interval '1 day')");
    source.exec(
        "INSERT INTO public.shifted SELECT t, t + interval '3 days', 1"
            + " FROM generate_series('2024-01-01 00:00+00'::timestamptz, '2024-01-03 23:00+00',"
            + " '1 hour') t");
    target.exec(table);
    target.exec(
        "SELECT create_hypertable('public.shifted', 'seen', chunk_time_interval => interval '1 day')");
    // In the copied time range, but in a target chunk far from it by "seen": a delete through the
    // chunks overlapping the range in the target's first dimension would miss it.
    target.exec(
        "INSERT INTO public.shifted VALUES ('2024-01-02 05:00+00', '2024-03-01 00:00+00', -1)");
    assertOk(stage("--until", "2024-01-04T00:00:00Z"));
    assertOnlyPath(copy("-p", "1"), "routed");

    assertCopiedExactly("public.shifted", "time < '2024-01-04 00:00+00'");
    assertThat(target.count("SELECT count(*) FROM public.shifted")).isEqualTo(72);
  }

  @Test
  void everyTimeColumnTypeOnTheRoutedPath() {
    sourceFixtureWithFreshTarget("time-types");
    assertOk(
        stage(
            "--filter",
            "^public\\.ts_plain$",
            "--from",
            "2024-01-02 06:00:00",
            "--until",
            "2024-01-03 12:00:00"));
    assertOk(
        stage("--filter", "^public\\.by_date$", "--from", "2024-01-10", "--until", "2024-02-05"));
    assertOk(stage("--filter", "^public\\.small$", "--from", "-120", "--until", "330"));
    assertOk(stage("--filter", "^public\\.medium$", "--from", "-1500", "--until", "1500"));
    assertOk(stage("--filter", "^public\\.big$", "--from", "86400000", "--until", "500000000"));
    assertOnlyPath(copyRouted("-p", "3"), "routed");

    assertCopiedExactly(
        "public.ts_plain", "time >= '2024-01-02 06:00:00' AND time < '2024-01-03 12:00:00'");
    assertThat(target.count("SELECT count(*) FROM public.ts_plain")).isEqualTo(30);
    assertCopiedExactly("public.by_date", "day >= '2024-01-10' AND day < '2024-02-05'");
    assertThat(target.count("SELECT count(*) FROM public.by_date")).isEqualTo(26);
    assertCopiedExactly("public.small", "t >= -120 AND t < 330");
    assertThat(target.count("SELECT count(*) FROM public.small")).isEqualTo(450);
    assertCopiedExactly("public.medium", "t >= -1500 AND t < 1500");
    assertThat(target.count("SELECT count(*) FROM public.medium")).isEqualTo(429);
    assertCopiedExactly("public.big", "t >= 86400000 AND t < 500000000");
    assertThat(target.value("SELECT min(t) || ' ' || max(t) FROM public.big"))
        .isEqualTo("86400000 496800000");
  }

  @Test
  void parallelWorkersFindTheMissingTargetChunksCreatedBeforehand() {
    sourceFixtureWithFreshTarget("metrics");
    // Dual-written: the target already has the chunk of this row; --until cuts that chunk.
    target.exec("INSERT INTO public.metrics VALUES ('2023-05-31 12:00+00', 'dual', -1)");
    assertOk(stage("--until", "2023-05-30T00:00:00Z"));
    ToolRun copied = copyCreatingChunks("-p", "2");

    // TimescaleDB holds its chunk-creation lock on the hypertable until the creating transaction
    // ends: four workers creating their chunks while copying would wait for one another. The four
    // missing chunks were made before the workers started, so every task writes directly.
    assertOnlyPath(copied, "direct");
    assertSameRows("public.metrics", "time < '2023-05-30 00:00+00'");
    assertThat(
            target.value(
                "SELECT string_agg(device_id, ',') FROM public.metrics"
                    + " WHERE time >= '2023-05-30 00:00+00'"))
        .as("target rows after --until: the dual-written one alone")
        .isEqualTo("dual");
    assertThat(
            target.value(
                "SELECT string_agg(range_start || '/' || range_end, ',' ORDER BY range_start)"
                    + " FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"))
        .as("target chunks: the source's slices, no others")
        .isEqualTo(
            source.value(
                "SELECT string_agg(range_start || '/' || range_end, ',' ORDER BY range_start)"
                    + " FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"));

    // At parallelism 1 nobody waits: the copy creates its chunks itself, on the routed path.
    replacePair("PathsIT_create_chunks_p1");
    sourceFixtureWithFreshTarget("metrics");
    assertOk(stage("--until", "2023-05-30T00:00:00Z"));
    ToolRun one = copyCreatingChunks("-p", "1");
    assertOnlyPath(one, "routed");
    assertCopiedExactly("public.metrics", "time < '2023-05-30 00:00+00'");

    // By default only chunks of 1 MB or more on the source are created beforehand: these (a few
    // kB each) copy in about the time that would cost, so they too are left to their copies.
    replacePair("PathsIT_create_chunks_auto");
    sourceFixtureWithFreshTarget("metrics");
    assertOk(stage("--until", "2023-05-30T00:00:00Z"));
    assertOnlyPath(copy("-p", "2"), "routed");
    assertCopiedExactly("public.metrics", "time < '2023-05-30 00:00+00'");
  }

  @Test
  void sourceChunksCreatedAfterTheSchemaRestoreAreRoutedNextToDirectOnes() {
    sourceFixtureWithRestoredTarget("metrics");
    source.fixture("june");
    assertThat(source.count("SELECT count(*) FROM timescaledb_information.chunks")).isEqualTo(10);
    assertOk(stage("--until", "2023-07-01T00:00:00Z"));
    ToolRun copied = copyRouted("-p", "2");
    assertOk(copied);
    assertThat(taskCount("copy_path = 'direct'")).as("May chunks, restored empty").isEqualTo(5);
    assertThat(taskCount("copy_path = 'routed'"))
        .as("June chunks, newer than the restore")
        .isEqualTo(5);
    assertSameRows("public.metrics", null);
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(2928);
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks")).isEqualTo(10);
    // Every chunk was ANALYZEd by the tool before copy ended (last_analyze: a manual ANALYZE, not
    // autovacuum's), so the planner knows the backfilled rows on both paths.
    assertThat(
            target.value(
                "SELECT count(*) FILTER (WHERE s.last_analyze IS NOT NULL) || '/' || count(*)"
                    + " FROM show_chunks('public.metrics') c"
                    + " JOIN pg_stat_user_tables s ON s.relid = c"))
        .as("target chunks analysed / all")
        .isEqualTo("10/10");
  }

  @Test
  void aHundredSpacePartitionedChunksWithBigintTimeOnBothPaths() {
    for (boolean restored : new boolean[] {true, false}) {
      if (!restored) {
        replacePair("PathsIT_space_bigint_fresh");
      }
      if (restored) {
        sourceFixtureWithRestoredTarget("space-bigint");
      } else {
        sourceFixtureWithFreshTarget("space-bigint");
      }
      assertThat(source.count("SELECT count(*) FROM timescaledb_information.chunks"))
          .isEqualTo(105);
      ToolRun staged = stage("--until", "604800000");
      assertOk(staged);
      assertThat(staged.out()).contains("Staged 105 chunks");
      assertOnlyPath(copyRouted("-p", "4"), restored ? "direct" : "routed");
      assertSameRows("public.readings", null);
      assertThat(target.count("SELECT count(*) FROM public.readings")).isEqualTo(50_400);
      assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks"))
          .isEqualTo(105);
    }
  }

  @Test
  void rowsOfEverySizeFromNullToFiveMegabytesOnBothPaths() {
    for (boolean restored : new boolean[] {true, false}) {
      if (!restored) {
        replacePair("PathsIT_row_sizes_fresh");
        sourceFixtureWithFreshTarget("row-sizes");
      } else {
        sourceFixtureWithRestoredTarget("row-sizes");
      }
      assertOk(stage("--until", "2024-07-03T00:00:00Z"));
      assertOnlyPath(copyRouted("-p", "2"), restored ? "direct" : "routed");
      assertSameRows("public.row_sizes", null);
      assertThat(
              target.value(
                  "SELECT count(*) || ' rows, ' || max(length(payload)) || ' bytes at most, '"
                      + " || count(*) FILTER (WHERE payload IS NULL) || ' NULL'"
                      + " FROM public.row_sizes"))
          .isEqualTo("3099 rows, 5242880 bytes at most, 30 NULL");
    }
  }

  @Test
  void aColumnDroppedAndAddedAgainOnEitherSideIsCopiedByName() {
    // Source with the gap, target restored without it: direct path.
    sourceFixtureWithRestoredTarget("metrics-gap");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertOnlyPath(copy("-p", "2"), "direct");
    // Row texts list the live columns in order, so equal fingerprints mean val landed in val.
    assertSameRows("public.metrics", null);
    assertThat(target.count("SELECT count(*) FROM public.metrics WHERE val IS NOT NULL"))
        .isEqualTo(1488);

    // Target with the gap, source without: routed path.
    replacePair("PathsIT_gap_on_target");
    source.fixture("metrics");
    target.fixture("metrics-gap");
    target.exec("TRUNCATE public.metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertOnlyPath(copyRouted("-p", "2"), "routed");
    assertSameRows("public.metrics", null);
  }
}
