package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, the built jar as it ships: {@code --version} says what it is and runs on; {@code -q}
 * leaves warnings, errors and the final summary only; {@code BACKFILL_SOURCE} and {@code
 * BACKFILL_TARGET} carry the connection strings, so passwords stay off the command line.
 */
class ShippingIT extends IntegrationTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  /** A line of one chunk's outcome, "[3/5] ...", after its optional timestamp. */
  private static final String CHUNK_LINE = "(?m)^(\\S+ )?\\[\\d+/\\d+\\] ";

  /** The banner line every command starts with: the program and its version. */
  private static final String BANNER = "(?m)^timescaledb-backfill \\S+$";

  private static ToolRun jar(Map<String, String> env, String... args) {
    return ToolProcess.run(env, TIMEOUT, args);
  }

  @Test
  void versionNamesTheBuildTheJvmAndTheDriver() {
    ToolRun r = jar(Map.of(), "--version");
    assertThat(r.exitCode()).as("%s", r).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0))
        .matches("timescaledb-backfill \\S+ \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)");
    assertThat(r.out())
        .contains("Java " + Runtime.version())
        .contains("pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION);
  }

  @Test
  void quietLeavesTheSummaryWarningsAndErrorsOnly() {
    sourceFixtureWithRestoredTarget("metrics");
    // The target refuses one day's rows: that chunk fails, an error -q must still show.
    target.exec(
        "ALTER TABLE public.metrics ADD CONSTRAINT no_may_12"
            + " CHECK (time < '2023-05-12 00:00+00' OR time >= '2023-05-13 00:00+00')");
    Map<String, String> env = Map.of();
    String s = source.uri();
    String t = target.uri();
    ToolRun staged =
        jar(env, "stage", "-q", "--source", s, "--target", t, "--until", "2023-06-01T00:00:00Z");
    assertThat(staged.exitCode()).as("%s", staged).isZero();
    assertThat(staged.out()).as("the summary of stage").isNotBlank();
    assertThat(staged.out()).doesNotContainPattern(BANNER);

    ToolRun copied = jar(env, "copy", "-q", "-p", "2", "--source", s, "--target", t);
    assertThat(copied.exitCode()).as("%s", copied).isEqualTo(5);
    assertThat(copied.all()).as("the banner is progress").doesNotContainPattern(BANNER);
    assertThat(copied.all().lines().filter(l -> l.matches(CHUNK_LINE.substring(4) + ".*")).count())
        .as("chunk lines under -q: the failed chunk's only\n%s", copied)
        .isEqualTo(1);
    assertThat(copied.out()).as("the final summary").isNotBlank();
    assertThat(copied.all()).doesNotContain("\tat ");

    ToolRun loud = jar(env, "copy", "-p", "2", "--source", s, "--target", t);
    assertThat(loud.exitCode()).isEqualTo(5);
    assertThat(loud.all()).containsPattern(CHUNK_LINE).containsPattern(BANNER);
  }

  @Test
  void connectionStringsComeFromTheEnvironment() {
    sourceFixtureWithRestoredTarget("metrics");
    Map<String, String> env = new HashMap<>();
    env.put("BACKFILL_SOURCE", withPassword(source));
    env.put("BACKFILL_TARGET", withPassword(target));
    ToolRun staged = jar(env, "stage", "--until", "2023-06-01T00:00:00Z", "--output", "json");
    assertThat(staged.exitCode()).as("%s", staged).isZero();
    assertThat(staged.event("summary").path("staged").asInt()).isEqualTo(5);
    ToolRun copied = jar(env, "copy", "--output", "json");
    assertThat(copied.exitCode()).as("%s", copied).isZero();
    assertThat(copied.event("summary").path("copied").asInt()).isEqualTo(5);
    ToolRun status = jar(env, "status", "--output", "json");
    assertThat(status.exitCode()).as("%s", status).isZero();
    assertSameRows("public.metrics", null);
    for (ToolRun r : List.of(staged, copied, status)) {
      assertThat(r.all()).doesNotContain("backfill-secret");
    }

    // Without either, a usage error naming the option and its variable.
    Map<String, String> none = new HashMap<>();
    none.put("BACKFILL_SOURCE", null);
    none.put("BACKFILL_TARGET", null);
    ToolRun missing = jar(none, "copy", "--output", "json");
    assertThat(missing.exitCode()).as("%s", missing).isEqualTo(2);
    assertThat(missing.event("error").path("message").asText()).contains("BACKFILL_SOURCE");
  }

  /** The test servers' role "backfill" and its password, as a libpq URI. */
  private static String withPassword(TestDb db) {
    return "postgres://backfill:backfill-secret@"
        + db.server().host()
        + ":"
        + db.server().port()
        + "/"
        + db.name()
        + "?sslmode=disable";
  }
}
