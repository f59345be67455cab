package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three {@code copy} processes (the built jar) share one task list while a {@code verify} process
 * runs beside them: every chunk is copied by exactly one of them, verify never reports a chunk that
 * is being copied as different, and the target ends equal to the source.
 */
class ConcurrencyIT extends IntegrationTest {
  private static final Pattern COPIED =
      Pattern.compile("\\] copied \\S+ \\[\\S+, \\S+\\) (\\S+) \\(");

  @Test
  void threeCopyProcessesAndAVerifyShareTheTaskList() {
    source.exec(
        "CREATE TABLE public.shared_work (time timestamptz NOT NULL, device int," + " val float8)");
    source.exec(
        "SELECT create_hypertable('public.shared_work', 'time',"
            + " chunk_time_interval => interval '1 hour')");
    source.exec(
        "INSERT INTO public.shared_work SELECT t, 1, random()"
            + " FROM generate_series('2024-03-01 00:00+00'::timestamptz, '2024-03-01 23:59:59+00',"
            + " '10 seconds') t");
    sourceFixtureWithRestoredTarget();
    assertOk(stage("--until", "2024-03-02T00:00:00Z"));
    long chunks = taskCount("true");
    assertThat(chunks).isEqualTo(24);

    List<ToolProcess> copies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      copies.add(
          ToolProcess.start(
              Map.of(), "copy", "--source", source.uri(), "--target", target.uri(), "-p", "2"));
    }
    ToolProcess verify =
        ToolProcess.start(
            Map.of(), "verify", "--source", source.uri(), "--target", target.uri(), "-p", "1");

    List<String> copied = new ArrayList<>();
    List<Integer> perProcess = new ArrayList<>();
    List<Integer> exits = new ArrayList<>();
    for (ToolProcess p : copies) {
      ToolRun r = p.waitFor(Duration.ofMinutes(3));
      // A process whose JVM starts after the others have copied every chunk finds nothing
      // pending, and says so with exit 0.
      assertOk(r);
      exits.add(r.exitCode());
      Matcher m = COPIED.matcher(r.out());
      int n = 0;
      while (m.find()) {
        copied.add(m.group(1));
        n++;
      }
      perProcess.add(n);
    }
    System.out.println(
        "chunks copied by each of the three processes: " + perProcess + ", exit codes " + exits);
    assertThat(exits).as("exit codes of the three copies").contains(0);
    ToolRun verified = verify.waitFor(Duration.ofMinutes(3));
    assertThat(verified.exitCode())
        .as(
            "a verify running beside the copies finds no difference (0) or nothing copied yet"
                + " (3): %s",
            verified)
        .isIn(0, 3);

    assertThat(copied)
        .as("chunks copied, over all three processes")
        .hasSize((int) chunks)
        .doesNotHaveDuplicates();
    assertThat(taskCount("worked IS NULL")).isZero();
    assertSameRows("public.shared_work", null);
    ToolRun finalVerify =
        tool("verify", "--source", source.uri(), "--target", target.uri(), "-p", "2");
    assertThat(finalVerify.exitCode()).as(finalVerify.toString()).isIn(0, 3);
    assertThat(taskCount("verified IS NULL")).isZero();
  }
}
