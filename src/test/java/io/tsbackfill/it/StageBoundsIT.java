package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;

/**
 * Which chunks and rows {@code stage} selects (behaviour spec 2.3, 3.5 and cases 10.2 #3 to #6):
 * bounds on chunk boundaries, target rows outside the bounds, filters across schemas, and a second
 * stage run over chunks that are staged already. The {@code metrics} chunks are 7 days long and
 * start on Thursdays (Apr 27, May 4, 11, 18, 25, Jun 1, ...).
 */
class StageBoundsIT extends IntegrationTest {

  /** The time literal of a one-bound task filter as a timestamptz (its offset follows TZ). */
  private static String literalIn(String column) {
    return "substring(" + column + " from '''([^'']*)''')::timestamptz";
  }

  @Test
  void fromAndUntilOnChunkBoundariesStageExactlyOneChunk() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun staged = stage("--from", "2023-05-04 00:00:00+00", "--until", "2023-05-11 00:00:00+00");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 1 chunk ");
    // The chunk ending at --from and the one starting at --until are not staged; --from on the
    // chunk's start still gives the chunk a filter (spec 3.5).
    assertThat(
            taskCount(
                "filter LIKE '\"time\" >= %' AND "
                    + literalIn("filter")
                    + " = '2023-05-04 00:00+00'"))
        .as("tasks with the filter \"time\" >= --from")
        .isEqualTo(1);
    assertOk(copy("-p", "2"));
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(336);
    assertSameRows(
        "public.metrics", "time >= '2023-05-04 00:00+00' AND time < '2023-05-11 00:00+00'");
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks")).isEqualTo(5);
  }

  @Test
  void fromLeavesOlderTargetRowsAloneAndSkipsTheChunkEndingThere() {
    // The source has May and June data; the target's May rows differ from the source's and must
    // survive a backfill of June, including those of the chunk that ends exactly at --from.
    sourceFixtureWithRestoredTarget("metrics", "june");
    target.exec(
        "INSERT INTO public.metrics SELECT t, 'target-only', 0 FROM generate_series("
            + "'2023-05-01 00:00+00'::timestamptz, '2023-05-31 23:00+00', '1 hour') t");
    ToolRun staged = stage("--from", "2023-06-01T00:00:00Z", "--until", "2023-06-30T23:30:01Z");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 5 chunks").contains("(2 cut by a bound)");
    assertOk(copy("-p", "2"));

    assertSameRows("public.metrics", "time >= '2023-06-01 00:00+00'");
    assertThat(
            target.value(
                "SELECT count(*) || ' ' || string_agg(DISTINCT device_id, ',')"
                    + " FROM public.metrics WHERE time < '2023-06-01 00:00+00'"))
        .as("target rows before --from")
        .isEqualTo("744 target-only");
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(744 + 1440);
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks")).isEqualTo(10);
  }

  @Test
  void aFilterSelectsHypertablesAcrossSchemasByQualifiedName() {
    sourceFixtureWithRestoredTarget("metrics", "other-metrics");
    for (String filter : new String[] {"public.metrics", "public.*"}) {
      ToolRun staged = stage("--filter", filter, "--until", "2023-06-01T00:00:00Z");
      assertOk(staged);
      assertThat(staged.out())
          .as("stage --filter %s", filter)
          .contains("Staged 5 chunks")
          .contains("public.metrics")
          .doesNotContain("other.metrics");
      assertThat(taskCount("hypertable_schema = 'public'")).isEqualTo(5);
      assertThat(taskCount("true")).isEqualTo(5);
      assertOk(copy("-p", "2"));
      assertSameRows("public.metrics", null);
      assertThat(target.count("SELECT count(*) FROM other.metrics")).isZero();
      assertThat(
              target.count(
                  "SELECT count(*) FROM timescaledb_information.chunks"
                      + " WHERE hypertable_schema = 'other'"))
          .isEqualTo(5);
      assertOk(tool("clean", "--target", target.uri()));
      target.exec("DELETE FROM public.metrics");
    }
  }

  @Test
  void stagingAgainKeepsTheStoredBoundsOfChunksStagedAlready() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-05-20T00:00:00Z"));
    assertThat(taskCount("true")).isEqualTo(4);
    ToolRun again = stage("--until", "2023-06-01T00:00:00Z");
    assertOk(again);
    assertThat(again.out())
        .contains("4 chunks were staged already and skipped (their stored bounds are kept")
        .contains("run clean first")
        .contains("Staged 1 chunk ");
    assertThat(
            taskCount(
                "filter LIKE '\"time\" < %' AND "
                    + literalIn("filter")
                    + " = '2023-05-20 00:00+00'"))
        .as("the chunk cut by the first --until keeps its filter")
        .isEqualTo(1);
    assertOk(copy("-p", "2"));
    assertSameRows(
        "public.metrics", "time < '2023-05-20 00:00+00' OR time >= '2023-05-25 00:00+00'");
    assertThat(
            target.count(
                "SELECT count(*) FROM public.metrics"
                    + " WHERE time >= '2023-05-20 00:00+00' AND time < '2023-05-25 00:00+00'"))
        .as("rows of the re-staged chunk beyond its first --until: not copied, as documented")
        .isZero();
  }
}
