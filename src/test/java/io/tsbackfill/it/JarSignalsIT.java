package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** End to end: the built jar, interrupted by signals while copying, then resumed to an exact copy. */
class JarSignalsIT extends IntegrationTest {

  private record Run(int exit, String output) {}

  private Run copyAndSignal(int signals) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "java", "-Dbackfill.log.level=DEBUG", "-jar",
                new File("target/timescaledb-backfill.jar").getAbsolutePath(),
                "copy", "--source", source.uri(), "--target", target.uri(), "-p", "1")
            .redirectErrorStream(true);
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean sent = false;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (!sent && line.contains("copying rows of chunk")) {
          for (int i = 0; i < signals; i++) {
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            Thread.sleep(100);
          }
          sent = true;
        }
      }
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out.toString());
  }

  @Test
  void oneAndTwoSignalsThenResumeGiveAnExactCopy() throws Exception {
    source.exec("CREATE TABLE public.big_metrics (time timestamptz NOT NULL, device int, val float8,"
        + " note text)");
    source.exec("SELECT create_hypertable('public.big_metrics', 'time',"
        + " chunk_time_interval => interval '1 day')");
    source.exec("INSERT INTO public.big_metrics SELECT t, d, random(), md5(t::text)"
        + " FROM generate_series('2024-01-01'::timestamptz, '2024-01-06 23:59', '10 seconds') t,"
        + " generate_series(1, 4) d");
    sourceFixtureWithRestoredTarget();
    assertOk(stage("--until", "2024-01-07T00:00:00Z"));

    Run graceful = copyAndSignal(1);
    assertThat(graceful.exit()).as(graceful.output()).isEqualTo(130);
    assertThat(graceful.output()).contains("Shutting down").contains("[1/6] copied")
        .contains("Interrupted");
    assertThat(taskCount("worked IS NOT NULL")).isEqualTo(1);

    Run immediate = copyAndSignal(2);
    assertThat(immediate.exit()).as(immediate.output()).isEqualTo(130);
    assertThat(immediate.output()).contains("Stopping at once").doesNotContain("[1/5] copied");
    assertThat(taskCount("worked IS NOT NULL")).isEqualTo(1);

    assertOk(copy("-p", "2"));
    assertSameRows("public.big_metrics", null);
    assertThat(target.count("SELECT count(*) FROM public.big_metrics")).isGreaterThan(200_000);
  }
}
