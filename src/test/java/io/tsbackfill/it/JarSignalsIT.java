package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.task.TaskStore;
import io.tsbackfill.testbed.JarProcess;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.InFlight;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: the built jar interrupted while it copies one chunk (behaviour spec 10.4: per-minute
 * data of ten devices, May 4 to 10, staged until 2023-05-10T23:59:00Z, eight workers, the signal
 * sent once the task table shows the chunk in flight and its worker's target session in COPY), then
 * resumed. The multi-chunk, multi-million-row version on both paths is {@link BigCopySignalsIT}.
 */
class JarSignalsIT extends IntegrationTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final String IN_RANGE = "time < '2023-05-10 23:59:00+00'";

  /** Rows before --until: the whole chunk but its last minute. */
  private static final long ROWS = 100_800 - 10;

  @BeforeEach
  void oneStagedChunk() {
    sourceFixtureWithRestoredTarget("minutes");
    assertOk(stage("--until", "2023-05-10T23:59:00Z"));
    assertThat(taskCount("true")).isEqualTo(1);
  }

  private JarProcess.Result copyAndSignal(String signal, int times) {
    try (JarProcess p = JarProcess.start(copyArgs("-p", "8"))) {
      awaitInFlight(TaskStore.COPY_LOCK, InFlight::inCopy, p);
      p.signal(signal);
      if (times == 2) {
        p.await("the shutdown notice", l -> l.startsWith("Shutting down"), TIMEOUT);
        p.signal(signal);
      }
      return p.finish(TIMEOUT);
    }
  }

  /**
   * Waits until a worker holds the chunk (the task table's in-flight lock, as status sees it) and
   * is where {@code which} says: the moment to signal, read from the server, not from log lines.
   */
  private void awaitInFlight(int kind, Predicate<InFlight> which, JarProcess p) {
    assertThat(ToolBackends.awaitInFlight(target, kind, which, TIMEOUT))
        .as("a chunk in flight within %s; output so far: %s", TIMEOUT, p.linesSoFar())
        .isPresent();
  }

  private List<String> copyArgs(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("copy", "--source", source.uri(), "--target", target.uri()));
    args.addAll(List.of(extra));
    return args;
  }

  private void assertFinishedTheChunkInFlight(JarProcess.Result r) {
    assertThat(r.exitCode()).as("exit code; %s", r).isEqualTo(130);
    assertThat(r.lines())
        .as("output")
        .anyMatch(l -> l.matches("Copying 1 pending chunk \\(.*\\) with 8 workers"))
        .anyMatch(l -> l.startsWith("Shutting down: waiting for the chunks in progress to finish"))
        .anyMatch(
            l ->
                l.matches(
                    "(?:\\S+ )?\\[1/1] copied .* \\(direct\\): 100,790 rows, 3\\.[0-2] MB COPY data in .*"))
        .anyMatch(l -> l.matches("Copied 1 chunk \\(100,790 rows, 3\\.[0-2] MB COPY data\\) in .*"))
        .anyMatch(l -> l.startsWith("Interrupted: run copy again to resume"))
        .noneMatch(l -> l.startsWith("Stopping at once"));
    assertThat(taskCount("worked IS NOT NULL AND copied_rows = " + ROWS)).isEqualTo(1);
    assertSameRows("public.metrics", IN_RANGE);
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(ROWS);

    JarProcess.Result again = JarProcess.run(TIMEOUT, copyArgs());
    assertThat(again.exitCode()).as("a copy after the finished chunk; %s", again).isZero();
    assertThat(again.output()).contains("Nothing to copy");
  }

  @Test
  void oneSigintFinishesTheChunkInFlightAndExits130() {
    assertFinishedTheChunkInFlight(copyAndSignal("INT", 1));
  }

  @Test
  void oneSigtermBehavesLikeOneSigint() {
    assertFinishedTheChunkInFlight(copyAndSignal("TERM", 1));
  }

  @Test
  void twoSigintsRollTheChunkBackAndACopyAfterwardsCompletesIt() {
    JarProcess.Result r = copyAndSignal("INT", 2);
    assertThat(r.exitCode()).as("exit code; %s", r).isEqualTo(130);
    assertThat(r.lines())
        .as("output")
        .anyMatch(l -> l.matches("Copying 1 pending chunk \\(.*\\) with 8 workers"))
        .anyMatch(l -> l.startsWith("Shutting down: waiting for the chunks in progress to finish"))
        .anyMatch(l -> l.startsWith("Stopping at once: the chunks in progress are rolled back"))
        .noneMatch(l -> l.contains("[1/1]"))
        .anyMatch(l -> l.matches("Copied 0 chunks \\(0 rows, 0 B COPY data\\) in .*"))
        .anyMatch(l -> l.startsWith("Interrupted: run copy again to resume"));
    assertThat(taskCount("worked IS NULL")).as("the chunk is still pending").isEqualTo(1);
    assertThat(target.count("SELECT count(*) FROM public.metrics"))
        .as("target rows after the rollback")
        .isZero();

    JarProcess.Result resumed = JarProcess.run(TIMEOUT, copyArgs("-p", "8"));
    assertThat(resumed.exitCode()).as("resumed copy; %s", resumed).isZero();
    assertThat(resumed.output()).contains("[1/1] copied").contains("Copied 1 chunk (100,790 rows");
    assertSameRows("public.metrics", IN_RANGE);
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(ROWS);
  }

  private List<String> verifyArgs(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("verify", "--source", source.uri(), "--target", target.uri()));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void verifyStopsLikeCopyOnOneAndTwoSignalsAndResumes() {
    assertOk(copy("-p", "2"));
    JarProcess.Result once;
    try (JarProcess p = JarProcess.start(verifyArgs())) {
      awaitInFlight(TaskStore.VERIFY_LOCK, f -> true, p);
      p.signal("INT");
      once = p.finish(TIMEOUT);
    }
    assertThat(once.exitCode()).as("%s", once).isEqualTo(130);
    assertThat(once.lines())
        .anyMatch(l -> l.startsWith("Shutting down: waiting for the chunks in progress to finish"))
        .anyMatch(l -> l.matches("(?:\\S+ )?\\[1/1] verified .*: 100,790 rows in .*"))
        .anyMatch(l -> l.startsWith("Interrupted: run verify again"));
    assertThat(taskCount("verified IS NOT NULL")).isEqualTo(1);

    target.exec("UPDATE __backfill.task SET verified = NULL, verify_message = NULL");
    JarProcess.Result twice;
    try (JarProcess p = JarProcess.start(verifyArgs())) {
      awaitInFlight(TaskStore.VERIFY_LOCK, f -> true, p);
      p.signal("TERM");
      p.await("the shutdown notice", l -> l.startsWith("Shutting down"), TIMEOUT);
      p.signal("TERM");
      twice = p.finish(TIMEOUT);
    }
    assertThat(twice.exitCode()).as("%s", twice).isEqualTo(130);
    // The second signal may come after the chunk was verified; either way the record agrees.
    boolean reported = twice.lines().stream().anyMatch(l -> l.contains("[1/1] verified"));
    assertThat(taskCount("verified IS NOT NULL")).isEqualTo(reported ? 1 : 0);

    JarProcess.Result resumed = JarProcess.run(TIMEOUT, verifyArgs());
    assertThat(resumed.exitCode()).as("%s", resumed).isEqualTo(reported ? 3 : 0);
    assertThat(taskCount("verified IS NOT NULL")).isEqualTo(1);
  }
}
