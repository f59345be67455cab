package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.Backend;
import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A soak: a few hundred small chunks copied and verified while the tool's sessions on both
 * servers are terminated at random. Runs may retry, fail chunks or stop; reruns must end with
 * the target exactly equal to the source (row count and the sum of every row's hash).
 */
class SoakIT extends IntegrationTest {
  private static final long SEED = Long.getLong("backfill.soak.seed", System.nanoTime());

  @Test
  void randomlyTerminatedSessionsEndInAnExactCopy() throws Exception {
    source.exec("CREATE TABLE public.soak (time timestamptz NOT NULL, device int, val float8,"
        + " note text)");
    source.exec("SELECT create_hypertable('public.soak', 'time',"
        + " chunk_time_interval => interval '1 hour')");
    source.exec("INSERT INTO public.soak SELECT t, d, random(), md5(t::text || d)"
        + " FROM generate_series('2024-02-01 00:00+00'::timestamptz,"
        + " '2024-02-13 11:59:59+00', '1 minute') t, generate_series(1, 2) d");
    sourceFixtureWithRestoredTarget();
    assertOk(stage("--until", "2024-03-01T00:00:00Z"));
    assertThat(taskCount("true")).isEqualTo(300);

    Random random = new Random(SEED);
    AtomicInteger faults = new AtomicInteger();
    AtomicBoolean injecting = new AtomicBoolean(true);
    Thread injector = new Thread(() -> inject(random, injecting, faults), "fault-injector");
    injector.setDaemon(true);
    injector.start();

    List<ToolRun> runs = new ArrayList<>();
    ToolRun last = null;
    try {
      for (int i = 0; i < 8 && taskCount("worked IS NULL") > 0; i++) {
        if (i == 2) {
          injecting.set(false); // later reruns finish the job in peace
        }
        // Under faults the copy is held to 500 kB/s (2.5 MB: at least 5 s), so enough faults land
        // mid-copy however fast the machine copies.
        last =
            i < 2
                ? copy("-p", "4", "--retries", "4", "--max-rate", "500kB")
                : copy("-p", "4", "--retries", "4");
        runs.add(last);
      }
    } finally {
      injecting.set(false);
      injector.join(5000);
    }
    String history = describe(runs) + "seed " + SEED + ", faults injected: " + faults.get();
    System.out.println("soak history:\n" + history);
    assertThat(faults.get()).as(history).isGreaterThanOrEqualTo(10);
    assertThat(last.exitCode()).as(history).isZero();
    for (ToolRun r : runs) {
      assertThat(r.exitCode()).as(history).isIn(0, 4, 5);
      assertThat(r.all()).as("no stack trace without -vv: %s", r).doesNotContain("\tat ");
    }
    assertThat(runs.stream().anyMatch(r -> r.err().contains("retrying"))).as(history).isTrue();
    assertThat(taskCount("worked IS NULL")).isZero();
    assertSameRows("public.soak", null);
    ToolRun verified = tool("verify", "--source", source.uri(), "--target", target.uri(), "-p", "4");
    assertOk(verified);
    assertThat(verified.out()).contains("300 equal, 0 failed");
  }

  private void inject(Random random, AtomicBoolean injecting, AtomicInteger faults) {
    while (injecting.get()) {
      try {
        Thread.sleep(100 + random.nextInt(300));
      } catch (InterruptedException e) {
        return;
      }
      TestDb side = random.nextBoolean() ? source : target;
      List<Backend> sessions = ToolBackends.of(side);
      if (!sessions.isEmpty()
          && ToolBackends.terminate(side, sessions.get(random.nextInt(sessions.size())).pid())) {
        faults.incrementAndGet();
      }
    }
  }

  private static String describe(List<ToolRun> runs) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < runs.size(); i++) {
      ToolRun r = runs.get(i);
      b.append("run ").append(i + 1).append(": exit ").append(r.exitCode());
      r.err().lines().filter(l -> l.startsWith("error:") || l.startsWith("  "))
          .forEach(l -> b.append(" | ").append(l));
      b.append(", ").append(r.err().lines().filter(l -> l.startsWith("retrying")).count())
          .append(" retries; ")
          .append(r.out().lines().filter(l -> l.startsWith("Copied")).findFirst().orElse(""))
          .append('\n');
    }
    return b.toString();
  }
}
