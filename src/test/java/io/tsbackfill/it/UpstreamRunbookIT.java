package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, the built jar run as the original tool's documentation runs it: its options ({@code
 * --disable-telemetry}, a bound without an offset), {@code help [COMMAND]}, and {@code --snapshot},
 * which is refused with its reason before anything is written.
 */
class UpstreamRunbookIT extends IntegrationTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private static ToolRun jar(String... args) {
    return ToolProcess.run(Map.of(), TIMEOUT, args);
  }

  @Test
  void theOriginalRunbookRunsWithItsOptions() {
    sourceFixtureWithRestoredTarget("metrics");
    String s = source.uri();
    String t = target.uri();
    ToolRun staged =
        jar(
            "stage",
            "--source",
            s,
            "--target",
            t,
            "--until",
            "2023-05-26T00:00:00",
            "--disable-telemetry",
            "--output",
            "json");
    assertThat(staged.exitCode()).as("%s", staged).isZero();
    assertThat(staged.event("summary").path("staged").asInt()).isEqualTo(5);
    ToolRun copied =
        jar("--disable-telemetry", "copy", "--source", s, "--target", t, "--output", "json");
    assertThat(copied.exitCode()).as("%s", copied).isZero();
    assertThat(copied.event("summary").path("copied").asInt()).isEqualTo(5);
    ToolRun verified = jar("verify", "--source", s, "--target", t, "--disable-telemetry");
    assertThat(verified.exitCode()).as("%s", verified).isZero();
    ToolRun cleaned = jar("clean", "--target", t, "--disable-telemetry");
    assertThat(cleaned.exitCode()).as("%s", cleaned).isZero();
    assertSameRows("public.metrics", "time < '2023-05-26 00:00+00'");
    for (ToolRun r : new ToolRun[] {staged, copied, verified, cleaned}) {
      assertThat(r.all()).doesNotContain("\tat ");
    }
  }

  @Test
  void helpNamesEveryCommandAndEachCommandsOptions() {
    ToolRun all = jar("help");
    assertThat(all.exitCode()).as("%s", all).isZero();
    for (String command : new String[] {"stage", "copy", "verify", "refresh-caggs", "clean"}) {
      assertThat(all.out()).containsPattern("(?m)^\\s+" + command + "\\s");
    }
    ToolRun stage = jar("help", "stage");
    assertThat(stage.exitCode()).as("%s", stage).isZero();
    assertThat(stage.out()).contains("--until").contains("--cascade-up");
    ToolRun unknown = jar("help", "nosuch");
    assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(2);
  }

  @Test
  void snapshotIsRefusedBeforeAnythingIsWritten() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun r =
        jar(
            "stage",
            "--source",
            source.uri(),
            "--target",
            target.uri(),
            "--until",
            "2023-05-26T00:00:00Z",
            "--snapshot",
            "00000003-0000001B-1",
            "--output",
            "json");
    assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
    JsonNode error = r.event("error");
    assertThat(error.path("exit_code").asInt()).isEqualTo(2);
    assertThat(error.path("message").asText()).contains("--snapshot");
    assertThat(r.all()).doesNotContain("\tat ");
    assertThat(target.exists("__backfill.task")).isFalse();
  }
}
