package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code refresh-caggs} on a 3-level hierarchy (caggs"_T1 -> caggs_t1_2 -> caggs_t1_3 on t1) plus
 * an integer-time cagg (caggs_t2 on t2). Both sides start equal, as after a backfill and the same
 * refreshes; the application then dual-writes to both, and only the source refreshes. The target
 * must then move exactly the selected caggs from its watermark to the source's.
 */
class TslRefreshCaggsIT extends TslIntegrationTest {
  private static final String T1 = "caggs\"_T1";
  private static final List<String> ALL = List.of(T1, "caggs_t1_2", "caggs_t1_3", "caggs_t2");
  private static final Map<String, Long> INITIAL =
      Map.of(
          T1,
          1694044800000000L,
          "caggs_t1_2",
          1696118400000000L,
          "caggs_t1_3",
          1698796800000000L,
          "caggs_t2",
          10L);
  private static final Map<String, Long> REFRESHED =
      Map.of(
          T1,
          1704585600000000L,
          "caggs_t1_2",
          1706745600000000L,
          "caggs_t1_3",
          1709251200000000L,
          "caggs_t2",
          40L);
  private static final Map<String, String> LINES =
      Map.of(
          T1,
          "refreshed public.\"caggs\"\"_T1\" from 2023-09-07 00:00:00+00 to 2024-01-07 00:00:00+00",
          "caggs_t1_2",
          "refreshed public.caggs_t1_2 from 2023-10-01 00:00:00+00 to 2024-02-01 00:00:00+00",
          "caggs_t1_3",
          "refreshed public.caggs_t1_3 from 2023-11-01 00:00:00+00 to 2024-03-01 00:00:00+00",
          "caggs_t2",
          "refreshed public.caggs_t2 from 10 to 40");

  /** Both sides refreshed alike, then dual-written rows on both and refreshes on the source. */
  private void sourceAhead() {
    onBoth("tsl-refresh");
    assertThat(watermarks(target)).isEqualTo(INITIAL).isEqualTo(watermarks(source));
    for (TestDb db : List.of(source, target)) {
      db.exec("INSERT INTO public.t1 VALUES ('2024-01-06 12:00+00', 5)");
      db.exec("INSERT INTO public.t2 VALUES (30, 3)");
    }
    source.exec("CALL refresh_continuous_aggregate('public.\"caggs\"\"_T1\"', NULL, '2024-01-07')");
    source.exec("CALL refresh_continuous_aggregate('public.caggs_t1_2', NULL, '2024-02-01')");
    source.exec("CALL refresh_continuous_aggregate('public.caggs_t1_3', NULL, '2024-03-01')");
    source.exec("CALL refresh_continuous_aggregate('public.caggs_t2', NULL, 40)");
    assertThat(watermarks(source)).isEqualTo(REFRESHED);
  }

  @Test
  void withoutFilterEveryCaggIsRefreshedLowestLevelFirst() {
    sourceAhead();
    ToolRun run = refreshCaggs();
    assertOk(run);
    // Level 0 (caggs_t2 and caggs"_T1, by window start), then level 1, then level 2.
    assertThat(run.out())
        .containsSubsequence(
            "[1/4] " + LINES.get("caggs_t2"),
            "[2/4] " + LINES.get(T1),
            "[3/4] " + LINES.get("caggs_t1_2"),
            "[4/4] " + LINES.get("caggs_t1_3"),
            "Refreshed 4 continuous aggregates");
    assertThat(watermarks(target)).isEqualTo(REFRESHED);
    for (String cagg : ALL) {
      assertSameRows("public." + quote(cagg), null);
    }

    ToolRun again = refreshCaggs();
    assertOk(again);
    assertThat(again.out())
        .contains("Nothing to refresh: 4 selected continuous aggregate(s) already up to date")
        .contains("Refreshed 0 continuous aggregates");
  }

  @Test
  void filterAloneRefreshesOnlyTheMatchedCagg() {
    sourceAhead();
    ToolRun run = refreshCaggs("--filter", "public.\"caggs\"\"_T1\"");
    assertOk(run);
    assertThat(run.out()).contains("[1/1] " + LINES.get(T1)).contains("Refreshed 1 continuous");
    assertThat(watermarks(target)).isEqualTo(expected(T1));
  }

  @Test
  void filterWithCascadeUpAddsTheCaggsBuiltOnIt() {
    sourceAhead();
    ToolRun run = refreshCaggs("--filter", "public.\"caggs\"\"_T1\"", "--cascade-up");
    assertOk(run);
    assertThat(run.out())
        .containsSubsequence(
            LINES.get(T1), LINES.get("caggs_t1_2"), LINES.get("caggs_t1_3"), "Refreshed 3")
        .doesNotContain("caggs_t2");
    assertThat(watermarks(target)).isEqualTo(expected(T1, "caggs_t1_2", "caggs_t1_3"));
    assertSameRows("public.caggs_t1_3", null);
  }

  @Test
  void filterWithCascadeDownAddsWhatItIsBuiltOnAndRefreshesThatFirst() {
    sourceAhead();
    ToolRun run = refreshCaggs("-f", "^public\\.caggs_t1_3$", "-D");
    assertOk(run);
    assertThat(run.out())
        .containsSubsequence(
            LINES.get(T1), LINES.get("caggs_t1_2"), LINES.get("caggs_t1_3"), "Refreshed 3")
        .doesNotContain("caggs_t2");
    assertThat(watermarks(target)).isEqualTo(expected(T1, "caggs_t1_2", "caggs_t1_3"));
    assertSameRows("public.caggs_t1_3", null);
  }

  @Test
  void nothingToRefreshMissingCaggsAndBadInput() {
    ToolRun none = refreshCaggs();
    assertOk(none);
    assertThat(none.out())
        .contains("Nothing to refresh: the source has no continuous aggregates")
        .contains("Refreshed 0 continuous aggregates");

    sourceAhead();
    ToolRun unmatched = refreshCaggs("--filter", "^public\\.nothing$");
    assertOk(unmatched);
    assertThat(unmatched.out())
        .contains("no continuous aggregate on the source matches --filter '^public\\.nothing$'");
    assertThat(watermarks(target)).isEqualTo(INITIAL);

    ToolRun badRegex = refreshCaggs("--filter", "(unclosed");
    assertThat(badRegex.exitCode()).as("%s", badRegex).isEqualTo(2);
    assertThat(badRegex.err()).startsWith("error: invalid --filter '(unclosed'");
    assertThat(badRegex.err().lines().count()).isEqualTo(1);

    ToolRun badTarget =
        tool(
            "refresh-caggs",
            "--source",
            source.uri(),
            "--target",
            "postgres://postgres:s3cret-pw@127.0.0.1:1/nowhere?sslmode=disable");
    assertThat(badTarget.exitCode()).as("%s", badTarget).isEqualTo(5);
    assertThat(badTarget.err())
        .contains("target")
        .doesNotContain("s3cret-pw")
        .doesNotContain("\tat ");

    target.exec("DROP MATERIALIZED VIEW public.caggs_t2");
    ToolRun partial = refreshCaggs();
    assertOk(partial);
    assertThat(partial.out())
        .contains("Refreshed 3 continuous aggregates")
        .contains("1 not in the target")
        .doesNotContain("refreshed public.caggs_t2");
    assertThat(watermarks(source)).isEqualTo(REFRESHED);
  }

  @Test
  void boundsAreRenderedInTimestampAndDateCaggsTypes() {
    for (TestDb db : List.of(source, target)) {
      db.exec("CREATE TABLE public.ts (time timestamp NOT NULL, val int)");
      db.exec(
          "SELECT create_hypertable('public.ts', 'time', chunk_time_interval => interval '7 days')");
      db.exec(
          "CREATE MATERIALIZED VIEW public.ts_daily WITH (timescaledb.continuous) AS"
              + " SELECT time_bucket('1 day', time) AS bucket, sum(val) AS total FROM public.ts"
              + " GROUP BY 1 WITH NO DATA");
      db.exec("CREATE TABLE public.days (day date NOT NULL, val int)");
      db.exec(
          "SELECT create_hypertable('public.days', 'day', chunk_time_interval => interval '30 days')");
      db.exec(
          "CREATE MATERIALIZED VIEW public.days_weekly WITH (timescaledb.continuous) AS"
              + " SELECT time_bucket('7 days', day) AS bucket, sum(val) AS total FROM public.days"
              + " GROUP BY 1 WITH NO DATA");
      db.exec(
          "INSERT INTO public.ts SELECT t, 1 FROM generate_series("
              + "'2024-01-01'::timestamp, '2024-01-03 23:00', '1 hour') t");
      db.exec(
          "INSERT INTO public.days SELECT d, 1 FROM generate_series("
              + "'2024-01-01'::date, '2024-01-14', '1 day') d");
      db.exec(
          "CALL refresh_continuous_aggregate('public.ts_daily', NULL, '2024-01-04'::timestamp)");
      db.exec("CALL refresh_continuous_aggregate('public.days_weekly', NULL, '2024-01-15'::date)");
      db.exec("INSERT INTO public.ts VALUES ('2024-01-05 06:00', 2)");
      db.exec("INSERT INTO public.days VALUES ('2024-01-16', 2)");
    }
    source.exec(
        "CALL refresh_continuous_aggregate('public.ts_daily', NULL, '2024-01-06'::timestamp)");
    source.exec(
        "CALL refresh_continuous_aggregate('public.days_weekly', NULL, '2024-01-22'::date)");

    ToolRun run = refreshCaggs();
    assertOk(run);
    // time_bucket('7 days') on dates aligns to Mondays: 2024-01-15 is one.
    assertThat(run.out())
        .contains("refreshed public.ts_daily from 2024-01-04 00:00:00 to 2024-01-06 00:00:00")
        .contains("refreshed public.days_weekly from 2024-01-15 to 2024-01-22")
        .contains("Refreshed 2 continuous aggregates");
    assertThat(watermarks(target)).isEqualTo(watermarks(source));
    assertSameRows("public.ts_daily", null);
    assertSameRows("public.days_weekly", null);
  }

  /** REFRESHED for the given caggs, INITIAL for the others. */
  private static Map<String, Long> expected(String... refreshed) {
    Map<String, Long> out = new LinkedHashMap<>(INITIAL);
    for (String cagg : refreshed) {
      out.put(cagg, REFRESHED.get(cagg));
    }
    return out;
  }

  private static Map<String, Long> watermarks(TestDb db) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (List<String> row :
        db.rows(
            "SELECT ca.user_view_name, w.watermark"
                + " FROM _timescaledb_catalog.continuous_aggs_watermark w"
                + " JOIN _timescaledb_catalog.continuous_agg ca USING (mat_hypertable_id)"
                + " ORDER BY 1")) {
      out.put(row.get(0), Long.parseLong(row.get(1)));
    }
    return out;
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
