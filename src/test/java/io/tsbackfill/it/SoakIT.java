package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.Backend;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A soak: a few hundred small chunks copied and verified while the tool's sessions on both servers
 * are terminated mid-COPY, a fixed number of times, on sides and sessions a seeded random choice
 * picks. Runs may retry, fail chunks or stop; reruns must end with the target exactly equal to the
 * source (row count and the sum of every row's hash). The seed is printed first; rerun with {@code
 * -Dbackfill.soak.seed=N} to pick the same sides and sessions.
 */
class SoakIT extends IntegrationTest {
  private static final long SEED = Long.getLong("backfill.soak.seed", System.nanoTime());

  /** Sessions terminated, each in the middle of a COPY. */
  private static final int FAULTS = 10;

  /** Runs under faults at most: each is restaged when it finished the tasks before the faults. */
  private static final int FAULTY_RUNS = 12;

  @Test
  void terminatedSessionsEndInAnExactCopy() throws Exception {
    System.out.println("SoakIT seed " + SEED + " (rerun with -Dbackfill.soak.seed=" + SEED + ")");
    source.exec(
        "CREATE TABLE public.soak (time timestamptz NOT NULL, device int, val float8,"
            + " note text)");
    source.exec(
        "SELECT create_hypertable('public.soak', 'time',"
            + " chunk_time_interval => interval '1 hour')");
    source.exec(
        "INSERT INTO public.soak SELECT t, d, random(), md5(t::text || d)"
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
    try {
      // Held to 500 kB/s, so each run spends seconds in COPY for the injector to find.
      for (int i = 0; i < FAULTY_RUNS && faults.get() < FAULTS; i++) {
        if (taskCount("worked IS NULL") == 0) {
          // Every chunk copied before all faults landed: copy them all again (a chunk copied
          // twice gives the same rows), through the tool's own clean and stage.
          assertOk(tool("clean", "--target", target.uri()));
          assertOk(stage("--until", "2024-03-01T00:00:00Z"));
        }
        runs.add(copy("-p", "4", "--retries", "4", "--max-rate", "500kB"));
      }
    } finally {
      injecting.set(false);
      injector.join(30_000);
    }
    String history = describe(runs) + "seed " + SEED + ", faults injected: " + faults.get();
    System.out.println("soak history:\n" + history);
    assertThat(faults.get()).as(history).isEqualTo(FAULTS);
    // In peace, reruns finish the job.
    ToolRun last = null;
    for (int i = 0; i < 3 && taskCount("worked IS NULL") > 0; i++) {
      last = copy("-p", "4", "--retries", "4");
      runs.add(last);
    }
    history = describe(runs) + "seed " + SEED;
    if (last != null) {
      assertThat(last.exitCode()).as(history).isZero();
    }
    for (ToolRun r : runs) {
      assertThat(r.exitCode()).as(history).isIn(0, 4, 5);
      assertThat(r.all()).as("no stack trace without -vv: %s", r).doesNotContain("\tat ");
    }
    assertThat(taskCount("worked IS NULL")).as(history).isZero();
    assertSameRows("public.soak", null);
    ToolRun verified =
        tool(
            "verify",
            "--source",
            source.uri(),
            "--target",
            target.uri(),
            "-p",
            "4",
            "--output",
            "json");
    assertOk(verified);
    assertThat(taskCount("verified IS NOT NULL")).isEqualTo(300);
  }

  /**
   * Terminates {@link #FAULTS} tool sessions, each once it is in a COPY: the side and the session
   * are the seeded random's choice, the moment is when the tool gets there.
   */
  private void inject(Random random, AtomicBoolean injecting, AtomicInteger faults) {
    while (injecting.get() && faults.get() < FAULTS) {
      TestDb side = random.nextBoolean() ? source : target;
      int pick = random.nextInt(4);
      List<Backend> copying =
          ToolBackends.await(side, Backend::inCopy, Duration.ofSeconds(1)).isPresent()
              ? ToolBackends.of(side).stream().filter(Backend::inCopy).toList()
              : List.of();
      if (!copying.isEmpty()) {
        int pid = copying.get(pick % copying.size()).pid();
        if (ToolBackends.terminate(side, pid)
            && ToolBackends.awaitGone(side, pid, Duration.ofSeconds(30))) {
          faults.incrementAndGet();
        }
      }
    }
  }

  private static String describe(List<ToolRun> runs) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < runs.size(); i++) {
      ToolRun r = runs.get(i);
      b.append("run ").append(i + 1).append(": exit ").append(r.exitCode());
      r.err()
          .lines()
          .filter(l -> l.startsWith("error:") || l.startsWith("  "))
          .forEach(l -> b.append(" | ").append(l));
      b.append(", ")
          .append(r.err().lines().filter(l -> l.startsWith("retrying")).count())
          .append(" retries; ")
          .append(r.out().lines().filter(l -> l.startsWith("Copied")).findFirst().orElse(""))
          .append('\n');
    }
    return b.toString();
  }
}
