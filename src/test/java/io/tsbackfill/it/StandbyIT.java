package io.tsbackfill.it;

import static io.tsbackfill.it.RecoveryIT.event;
import static io.tsbackfill.it.RecoveryIT.eventCount;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.testbed.CopyGate;
import io.tsbackfill.testbed.JarProcess;
import io.tsbackfill.testbed.Standby;
import io.tsbackfill.testbed.ToolBackends;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end, the built jar reading the source from a hot standby of it (the local test bed's
 * {@code bf_standby}): stage, copy, verify and refresh-caggs work and are exact, copy waits for a
 * standby whose replay is paused and goes on once it resumes, stops when it stays behind, and a
 * permanent error on the standby fails its chunk at once.
 */
class StandbyIT extends IntegrationTest {
  private static final Duration TIMEOUT = RecoveryIT.TIMEOUT;

  /** One row written to the source while the standby does not replay (fixture "metrics"). */
  private static final String LATE_ROW =
      "INSERT INTO public.metrics VALUES ('2023-05-20 12:30+00', '3', 1)";

  private Standby standby;

  @BeforeEach
  void theStandby() {
    standby = testBed().standby().orElse(null);
    Assumptions.assumeTrue(standby != null, "this test bed has no standby of the source");
    standby.resumeReplay();
  }

  @AfterEach
  void replayGoesOn() {
    if (standby != null) {
      standby.resumeReplay();
    }
  }

  private JarProcess.Result jar(String command, String src, String... extra) {
    return JarProcess.run(TIMEOUT, args(command, src, extra));
  }

  private List<String> args(String command, String src, String... extra) {
    List<String> args = new ArrayList<>(List.of(command));
    if (src != null) {
      args.addAll(List.of("--source", src));
    }
    args.addAll(List.of("--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return args;
  }

  /** Lines that say the source is a hot standby (they name pg_is_in_recovery()). */
  private static long standbyNotices(JarProcess.Result r) {
    return r.lines().stream().filter(l -> l.contains("pg_is_in_recovery()")).count();
  }

  @Test
  void stageCopyVerifyAndRefreshCaggsReadFromTheStandby() {
    sourceFixtureWithRestoredTarget("metrics");
    standby.awaitReplayed();
    String sb = standby.uri(source);

    // A cut-over in the past, which the standby has replayed long since.
    JarProcess.Result staged = jar("stage", sb, "--until", "2023-05-28T12:00:00Z");
    assertThat(staged.exitCode()).as(staged.toString()).isZero();
    assertThat(standbyNotices(staged)).as("said once: %s", staged).isEqualTo(1);
    long tasks = taskCount("true");
    assertThat(tasks).isPositive();

    JarProcess.Result copied = jar("copy", sb, "-p", "2", "--output", "json");
    assertThat(copied.exitCode()).as(copied.toString()).isZero();
    assertThat(standbyNotices(copied)).as("said once: %s", copied).isEqualTo(1);
    assertThat(event(copied, "summary").path("copied").asLong()).isEqualTo(tasks);
    assertThat(eventCount(copied, "retry")).as("no retries: %s", copied).isZero();
    assertSameRows("public.metrics", "time < '2023-05-28 12:00+00'");

    JarProcess.Result verified = jar("verify", sb, "-p", "2", "--output", "json");
    assertThat(verified.exitCode()).as(verified.toString()).isZero();
    assertThat(event(verified, "summary").path("verified").asLong()).isEqualTo(tasks);

    // The Apache-licensed test bed has no continuous aggregates: the standby's catalog and
    // watermarks are read all the same, in the standby's transaction.
    JarProcess.Result refreshed = jar("refresh-caggs", sb);
    assertThat(refreshed.exitCode()).as(refreshed.toString()).isZero();
    assertThat(standbyNotices(refreshed)).isEqualTo(1);
  }

  /** --until just after the source's clock now, as an ISO 8601 UTC timestamp. */
  private String untilJustAfterNow() {
    return source.value(
        "SELECT to_char((now() + interval '2 seconds') AT TIME ZONE 'UTC',"
            + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
  }

  /** Waits until the source's clock has passed {@code until}, then commits a transaction there. */
  private void commitOnTheSourceAfter(String until) {
    Instant bound = OffsetDateTime.parse(until).toInstant();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!source.value("SELECT now() > '" + bound + "'::timestamptz").equals("t")) {
      assertThat(System.nanoTime()).as("the source's clock passes %s", until).isLessThan(deadline);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    // A transaction with an id writes a commit record: the standby's replay timestamp moves.
    source.value("SELECT txid_current()::text");
  }

  @Test
  void copyWaitsForAPausedStandbyAndGoesOnWhenItResumes() {
    sourceFixtureWithRestoredTarget("metrics");
    standby.awaitReplayed();
    standby.pauseReplay();
    source.exec(LATE_ROW);
    String until = untilJustAfterNow();
    // Staged from the primary: the standby would wait here too.
    assertOk(stage("--until", until));

    try (JarProcess p =
        JarProcess.start(args("copy", standby.uri(source), "-p", "2", "--output", "json"))) {
      p.await(
          "the notice that copy waits for the paused standby",
          l -> l.contains("pg_wal_replay_resume()"),
          TIMEOUT);
      assertThat(taskCount("worked IS NOT NULL")).as("nothing copied while it waits").isZero();
      commitOnTheSourceAfter(until);
      standby.resumeReplay();
      JarProcess.Result r = p.finish(TIMEOUT);
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(event(r, "summary").path("copied").asInt()).isEqualTo(5);
    }
    assertSameRows("public.metrics", null);
    assertThat(target.count("SELECT count(*) FROM public.metrics WHERE device_id = '3'"))
        .as("the row written while the standby did not replay")
        .isEqualTo(1);
  }

  @Test
  void aStandbyThatStaysBehindStopsCopyNamingTheLag() {
    sourceFixtureWithRestoredTarget("metrics");
    standby.awaitReplayed();
    standby.pauseReplay();
    source.exec(LATE_ROW);
    assertOk(stage("--until", untilJustAfterNow()));

    JarProcess.Result r = jar("copy", standby.uri(source), "-p", "2", "--standby-wait", "2");
    assertThat(r.exitCode()).as("a bad state: %s", r).isEqualTo(3);
    assertThat(taskCount("worked IS NOT NULL OR copy_message IS NOT NULL"))
        .as("nothing copied, nothing recorded")
        .isZero();
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isZero();

    JarProcess.Result negative = jar("copy", standby.uri(source), "--standby-wait", "-1");
    assertThat(negative.exitCode()).as(negative.toString()).isEqualTo(2);
  }

  @Test
  void aPermanentErrorOnTheStandbyFailsItsChunkAtOnceAndIsRecorded() {
    sourceFixtureWithRestoredTarget("metrics");
    String reader = "bf_standby_reader_" + ProcessHandle.current().pid();
    source.exec("CREATE ROLE " + reader + " LOGIN PASSWORD 'reader-secret'");
    try {
      source.exec("GRANT USAGE ON SCHEMA public TO " + reader);
      source.exec("GRANT SELECT ON public.metrics TO " + reader);
      String denied =
          source.value(
              "SELECT format('%I.%I', chunk_schema, chunk_name)"
                  + " FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"
                  + " ORDER BY range_start OFFSET 2 LIMIT 1");
      source.exec("REVOKE SELECT ON " + denied + " FROM " + reader);
      assertOk(stage("--until", "2023-06-01T00:00:00Z"));
      standby.awaitReplayed();

      String asReader =
          standby
              .uri(source)
              .replace("postgres://postgres@", "postgres://" + reader + ":reader-secret@");
      JarProcess.Result r = jar("copy", asReader, "-p", "2", "--output", "json");
      assertThat(r.exitCode()).as("a source error: %s", r).isEqualTo(4);
      JsonNode summary = event(r, "summary");
      assertThat(summary.path("copied").asInt()).isEqualTo(4);
      JsonNode failure = summary.path("failures").get(0);
      assertThat(failure.path("sqlstate").asText()).isEqualTo("42501");
      assertThat(failure.path("side").asText()).isEqualTo("source");
      assertThat(eventCount(r, "retry")).as("no retries: %s", r).isZero();
      assertThat(taskCount("worked IS NULL AND copy_sqlstate = '42501'")).isEqualTo(1);
      assertThat(r.output()).as("no pool chatter").doesNotContain("marked as broken");
    } finally {
      source.exec("DROP OWNED BY " + reader);
      source.exec("DROP ROLE " + reader);
    }
  }

  @Test
  void recoveryConflictsAreRetriedAndTheSettingsThatPreventThemNamed() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    standby.awaitReplayed();
    // Copied first (newest first, one worker): held mid-COPY on the target by the gate, while its
    // source transaction on the standby waits, idle, holding its lock on the source chunk.
    String targetChunk =
        target.value(
            "SELECT chunk_name FROM timescaledb_information.chunks"
                + " ORDER BY range_start DESC LIMIT 1");
    String sourceChunk =
        source.value(
            "SELECT format('%I.%I', chunk_schema, chunk_name)"
                + " FROM timescaledb_information.chunks ORDER BY range_start DESC LIMIT 1");
    // The standby cancels conflicting reads at once instead of after 30 s.
    standby.set("max_standby_streaming_delay", "0");
    try (CopyGate gate = CopyGate.install(target, "public.metrics")) {
      gate.hold(targetChunk);
      try (JarProcess p =
          JarProcess.start(
              args("copy", standby.uri(source), "-p", "1", "--retries", "3", "--output", "json"))) {
        for (int conflict = 1; conflict <= 2; conflict++) {
          assertThat(
                  ToolBackends.await(target, ToolBackends.Backend::waitsForAdvisoryLock, TIMEOUT))
              .as("the copy reaches the gate")
              .isPresent();
          int reader = standby.awaitToolSession(source, "idle in transaction");
          // Replaying this lock conflicts with the reader's: the standby ends the reader.
          source.exec("BEGIN; LOCK TABLE " + sourceChunk + " IN ACCESS EXCLUSIVE MODE; COMMIT");
          standby.awaitGone(reader);
          gate.release(targetChunk);
          if (conflict == 1) {
            // The release granted the waiting attempt its shared lock on the gate, which it keeps
            // until its transaction ends; holding the gate again queues behind that, and ahead of
            // the next attempt: it returns once this attempt has rolled back, and the next one
            // waits at the gate, however long the backoff between them.
            gate.hold(targetChunk);
          }
          p.await(
              "retry " + conflict,
              l -> l.startsWith("{") && l.contains("\"event\":\"retry\""),
              TIMEOUT);
        }
        JarProcess.Result r = p.finish(TIMEOUT);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<JsonNode> retries =
            RecoveryIT.events(r).stream()
                .filter(e -> e.path("event").asText().equals("retry"))
                .toList();
        assertThat(retries).as("two retries: %s", r).hasSize(2);
        assertThat(retries).allSatisfy(e -> assertThat(e.path("error").asText()).contains("40001"));
        assertThat(r.output())
            .as("the settings that prevent recovery conflicts are named")
            .contains("hot_standby_feedback")
            .contains("max_standby_streaming_delay");
      }
    } finally {
      standby.set("max_standby_streaming_delay", null);
    }
    assertSameRows("public.metrics", null);
  }
}
