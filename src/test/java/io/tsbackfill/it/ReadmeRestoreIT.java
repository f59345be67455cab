package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tsbackfill.testbed.TestBed;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's schema restore, run as an operator pastes it: the shell block of its "Prepare the
 * target" section, with {@code SOURCE} and {@code TARGET} set, on the local servers. Every source
 * chunk must then exist on the target, so that the jar's copy takes the direct path.
 */
class ReadmeRestoreIT extends IntegrationTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private static String restoreBlock() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int section = readme.indexOf("## Prepare the target");
    assertThat(section).as("the README's schema restore section").isNotNegative();
    Matcher m = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find(section)).as("a sh block in that section").isTrue();
    return m.group(1);
  }

  @Test
  void theReadmesRestoreCommandsGiveTheTargetEveryChunk(@TempDir Path dir) throws Exception {
    assumeTrue(testBed() == TestBed.local(), "the local servers' client programs");
    source.fixture("metrics");
    source.fixture("zoo");
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-euo", "pipefail", "-c", restoreBlock())
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().put("SOURCE", source.uri());
    pb.environment().put("TARGET", target.uri());
    String pgBin = System.getenv("PG_BIN");
    if (pgBin != null) {
      pb.environment().put("PATH", pgBin + ":" + System.getenv("PATH"));
    }
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the restore ends").isTrue();
    assertThat(p.exitValue()).as("the README's restore commands; output:\n%s", output).isZero();

    String chunks = "SELECT count(*) FROM timescaledb_information.chunks";
    assertThat(target.count(chunks)).isEqualTo(source.count(chunks)).isPositive();
    ToolRun staged =
        ToolProcess.run(
            Map.of(),
            TIMEOUT,
            "stage",
            "--source",
            source.uri(),
            "--target",
            target.uri(),
            "--until",
            "2030-01-01T00:00:00Z");
    assertThat(staged.exitCode()).as("%s", staged).isZero();
    ToolRun copied =
        ToolProcess.run(
            Map.of(),
            TIMEOUT,
            "copy",
            "--source",
            source.uri(),
            "--target",
            target.uri(),
            "--output",
            "json");
    assertThat(copied.exitCode()).as("%s", copied).isZero();
    assertThat(copied.events("chunk_finished"))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.path("path").asText()).isEqualTo("direct"));
    assertSameRows("public.metrics", null);
  }
}
