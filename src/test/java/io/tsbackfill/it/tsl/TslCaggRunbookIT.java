package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's continuous-aggregate runbook end to end on a target that has the schema but has
 * never refreshed its caggs: pause the refresh policies, stage with cascade, copy, refresh-caggs,
 * clean. Afterwards every cagg reads the same on both sides and has the source's watermark.
 */
class TslCaggRunbookIT extends TslIntegrationTest {
  private static final List<String> CAGGS =
      List.of("public.hourly", "public.daily", "public.monthly", "public.raw_max");
  private static final String WATERMARKS =
      "SELECT string_agg(ca.user_view_schema || '.' || ca.user_view_name || '=' || w.watermark,"
          + " ', ' ORDER BY 1) FROM _timescaledb_catalog.continuous_aggs_watermark w"
          + " JOIN _timescaledb_catalog.continuous_agg ca USING (mat_hypertable_id)"
          + " WHERE ca.user_view_schema = 'public'";

  @Test
  void pauseStageWithCascadeCopyRefreshClean() {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    offsetTargetIds();
    SqlScript.run(target, "tsl-caggs");
    target.exec(
        "SELECT add_continuous_aggregate_policy('public.hourly', start_offset => NULL,"
            + " end_offset => interval '1 hour', schedule_interval => interval '1 hour')");

    // 1. Pause the target's refresh policies (the runbook's statement).
    target.exec(
        "SELECT alter_job(j.job_id, scheduled => false) FROM timescaledb_information.jobs j"
            + " WHERE j.proc_name = 'policy_refresh_continuous_aggregate'");
    assertThat(
            target.value(
                "SELECT string_agg(scheduled::text, ',')"
                    + " FROM timescaledb_information.jobs"
                    + " WHERE proc_name = 'policy_refresh_continuous_aggregate'"))
        .isEqualTo("false");

    // 2. Stage the raw hypertable and everything built on it; 3. copy.
    ToolRun staged =
        stage("--until", "2023-07-01T00:00:00Z", "--filter", "^public\\.raw$", "--cascade-up");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 9 chunks");
    assertOk(copy());

    // 4. Refresh: the target's watermarks are at the beginning of time, the source's at June 1.
    ToolRun refreshed = refreshCaggs("--filter", "^public\\.raw_max$|^public\\.hourly$", "-U");
    assertOk(refreshed);
    assertThat(refreshed.out())
        .contains("refreshed public.monthly from the beginning to 2023-06-01 00:00:00+00")
        .contains("Refreshed 4 continuous aggregates");
    assertThat(target.value(WATERMARKS)).isEqualTo(source.value(WATERMARKS));
    assertSameRows("public.raw", null);
    for (String cagg : CAGGS) {
      assertSameRows(cagg, null);
    }
    assertThat(target.count("SELECT count(*) FROM other.daily")).isZero();

    // 5. Clean.
    assertOk(clean());
    assertThat(target.exists("__backfill.task")).isFalse();
  }
}
