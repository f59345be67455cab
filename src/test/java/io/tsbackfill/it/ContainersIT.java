package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestBed;
import io.tsbackfill.testbed.TimescaleContainers;
import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The representative stage/copy scenario on two Testcontainers TimescaleDB containers (image and
 * license from {@code BACKFILL_TESTBED_IMAGE} / {@code BACKFILL_TESTBED_LICENSE}, see {@link
 * TimescaleContainers}): the direct path after the runbook's schema restore (pg_dump and psql of
 * the containers), and a fresh target, which the tool writes through the hypertable under the
 * Apache license and directly into chunks that {@code stage} creates under the Timescale License.
 * Runs wherever a Docker engine answers; elsewhere (these machines) the class is reported skipped
 * with Testcontainers' reason. {@code BACKFILL_TESTBED=containers} runs the whole suite there.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersIT extends IntegrationTest {
  private static final String DUAL =
      "INSERT INTO public.metrics SELECT t, 'dual', 42 FROM generate_series("
          + "'2023-05-20 00:00+00'::timestamptz, '2023-06-10 23:00+00', '1 hour') t";
  private static final String IN_RANGE = "time < '2023-05-26 00:00+00'";

  @Override
  protected TestBed testBed() {
    return TestBed.containers();
  }

  @Test
  void bothContainersRunTheSameTimescaleDbUnderTheConfiguredLicense() {
    String version = "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'";
    assertThat(source.value(version)).isNotBlank().isEqualTo(target.value(version));
    assertThat(target.value("SHOW timescaledb.license")).isEqualTo(TimescaleContainers.license());
  }

  @Test
  void restoredTargetIsCopiedDirectlyKeepingDualWrittenRows() {
    sourceFixtureWithRestoredTarget("metrics", "space");
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks"))
        .as("chunks restored on the target")
        .isEqualTo(source.count("SELECT count(*) FROM timescaledb_information.chunks"));
    source.exec(DUAL);
    target.exec(DUAL);

    assertOk(stage("--filter", "^public\\.metrics$", "--until", "2023-05-26T00:00:00Z"));
    assertOk(stage("--filter", "^public\\.spaced$", "--until", "2024-03-03T12:00:00Z"));
    ToolRun copied = copy("-p", "2");
    assertOk(copied);
    assertThat(copied.out()).contains("(direct)").doesNotContain("(routed)");

    assertSameRows("public.metrics", IN_RANGE);
    assertThat(
            target.value(
                "SELECT count(*) || ' ' || string_agg(DISTINCT device_id, ',')"
                    + " FROM public.metrics WHERE time >= '2023-05-26 00:00+00'"))
        .as("target rows at or after --until: the dual-written ones")
        .isEqualTo("384 dual");
    assertSameRows("public.spaced", "time < '2024-03-03 12:00+00'");
    assertThat(
            target.count("SELECT count(*) FROM public.spaced WHERE time >= '2024-03-03 12:00+00'"))
        .isZero();
    assertThat(taskCount("worked IS NULL")).isZero();
  }

  @Test
  void freshTargetIsCopiedAsItsLicenseAllows() {
    sourceFixtureWithFreshTarget("metrics");
    ToolRun staged = stage("--until", "2023-06-01T00:00:00Z");
    assertOk(staged);
    ToolRun copied = copy("-p", "2");
    assertOk(copied);
    if (TimescaleContainers.license().equals("apache")) {
      assertThat(copied.out()).contains("(routed)").doesNotContain("(direct)");
      assertThat(taskCount("copy_path = 'routed'")).isEqualTo(5);
    } else {
      assertThat(staged.out()).contains("created 5 target chunks");
      assertThat(copied.out()).contains("(direct)").doesNotContain("(routed)");
      assertThat(taskCount("copy_path = 'direct'")).isEqualTo(5);
    }
    assertSameRows("public.metrics", null);
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(1488);
  }
}
