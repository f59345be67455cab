package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.testbed.JarProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end, the built jar when things go wrong: a chunk the target rejects fails alone, is
 * recorded with its SQLSTATE and copied by the next run once fixed; no false successes.
 */
class RecoveryIT extends IntegrationTest {
  static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The week of public.metrics (fixture "metrics") whose chunk the CHECK below rejects. */
  private static final String REJECTED_WEEK =
      "time >= '2023-05-11 00:00+00' AND time < '2023-05-18 00:00+00'";

  /** Runs the jar: {@code command --source S --target T ARGS} (no --source for some commands). */
  JarProcess.Result jar(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command));
    if (!List.of("clean", "status", "requeue").contains(command)) {
      args.addAll(List.of("--source", source.uri()));
    }
    args.addAll(List.of("--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return JarProcess.run(TIMEOUT, args);
  }

  /** The JSON events among the merged output lines of a run with {@code --output json}. */
  static List<JsonNode> events(JarProcess.Result r) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.lines()) {
      if (line.startsWith("{")) {
        try {
          out.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException("not JSON: " + line, e);
        }
      }
    }
    return out;
  }

  static JsonNode event(JarProcess.Result r, String type) {
    return events(r).stream()
        .filter(e -> e.path("event").asText().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " event; " + r));
  }

  static long eventCount(JarProcess.Result r, String type) {
    return events(r).stream().filter(e -> e.path("event").asText().equals(type)).count();
  }

  /** public.metrics staged whole; the target's CHECK rejects the rows of May 12. */
  private void stagedWithOneRejectedChunk() {
    sourceFixtureWithRestoredTarget("metrics");
    target.exec(
        "ALTER TABLE public.metrics ADD CONSTRAINT no_may_12"
            + " CHECK (time < '2023-05-12 00:00+00' OR time >= '2023-05-13 00:00+00')");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertThat(taskCount("true")).isEqualTo(5);
  }

  @Test
  void aChunkTheTargetRejectsFailsAloneAndIsCopiedOnceFixed() {
    stagedWithOneRejectedChunk();

    JarProcess.Result r = jar("copy", "-p", "2", "--output", "json");
    assertThat(r.exitCode()).as("a target error: %s", r).isEqualTo(5);
    JsonNode summary = event(r, "summary");
    assertThat(summary.path("copied").asInt()).as(r.toString()).isEqualTo(4);
    assertThat(summary.path("failed").asInt()).isEqualTo(1);
    assertThat(summary.path("failed_chunks")).hasSize(1);
    JsonNode failure = summary.path("failures").get(0);
    assertThat(failure.path("sqlstate").asText()).isEqualTo("23514");
    assertThat(failure.path("side").asText()).isEqualTo("target");
    assertThat(failure.path("fix").isTextual()).as("a fix is named for 23514").isTrue();
    assertThat(eventCount(r, "retry")).as("a permanent error is never retried; %s", r).isZero();
    assertThat(eventCount(r, "chunk_failed")).isEqualTo(1);

    // The other worker's chunks committed; the failure is in the task row.
    assertThat(taskCount("worked IS NOT NULL")).isEqualTo(4);
    assertThat(taskCount("worked IS NULL AND copy_sqlstate = '23514' AND copy_message <> ''"))
        .isEqualTo(1);
    assertSameRows("public.metrics", "NOT (" + REJECTED_WEEK + ")");

    JarProcess.Result status = jar("status", "--output", "json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    JsonNode st = event(status, "status");
    assertThat(st.path("total").path("copy_failed").asInt()).isEqualTo(1);
    assertThat(st.path("failures").get(0).path("sqlstate").asText()).isEqualTo("23514");
    assertThat(st.path("failures").get(0).path("kind").asText()).isEqualTo("copy");

    target.exec("ALTER TABLE public.metrics DROP CONSTRAINT no_may_12");
    JarProcess.Result again = jar("copy", "-p", "2", "--output", "json");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(event(again, "summary").path("copied").asInt()).isEqualTo(1);
    assertThat(taskCount("worked IS NULL OR copy_sqlstate IS NOT NULL")).isZero();
    assertSameRows("public.metrics", null);

    JarProcess.Result nothing = jar("copy", "--output", "json");
    assertThat(nothing.exitCode()).as("nothing to copy is a success; %s", nothing).isZero();
    assertThat(event(nothing, "summary").path("nothing_to_copy").asBoolean()).isTrue();
  }

  @Test
  void zeroOrNegativeParallelismIsAUsageErrorThatWritesNothing() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    for (String p : new String[] {"0", "-1"}) {
      for (String command : new String[] {"copy", "verify"}) {
        JarProcess.Result r = jar(command, "-p", p);
        assertThat(r.exitCode()).as("%s -p %s: %s", command, p, r).isEqualTo(2);
      }
    }
    assertThat(taskCount("worked IS NOT NULL OR copy_message IS NOT NULL")).isZero();
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isZero();
  }

  private static final String NEW_COLUMNS =
      "SELECT count(*) FROM pg_attribute WHERE attrelid = '__backfill.task'::regclass"
          + " AND attname IN ('copy_sqlstate', 'verify_sqlstate', 'until_time')"
          + " AND NOT attisdropped";

  @Test
  void aTaskTableOfAnEarlierVersionIsUpgradedInPlaceOrRefusedClearly() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    target.exec(
        "ALTER TABLE __backfill.task DROP COLUMN copy_sqlstate, DROP COLUMN verify_sqlstate,"
            + " DROP COLUMN until_time");

    // A role that may use the task list but does not own it cannot add the columns.
    String other = "bf_upgrade_" + ProcessHandle.current().pid();
    target.exec("CREATE ROLE " + other + " LOGIN PASSWORD 'upgrade-secret'");
    try {
      target.exec("GRANT ALL ON SCHEMA __backfill, public TO " + other);
      target.exec("GRANT ALL ON ALL TABLES IN SCHEMA __backfill, public TO " + other);
      String asOther =
          target.uri().replace("postgres://postgres@", "postgres://" + other + ":upgrade-secret@");
      JarProcess.Result refused =
          JarProcess.run(
              TIMEOUT, List.of("copy", "--source", source.uri(), "--target", asOther, "-p", "1"));
      assertThat(refused.exitCode()).as("a bad state, named: %s", refused).isEqualTo(3);
      assertThat(target.count(NEW_COLUMNS)).isZero();
      assertThat(taskCount("worked IS NOT NULL")).as("nothing copied").isZero();
    } finally {
      target.exec("DROP OWNED BY " + other);
      target.exec("DROP ROLE " + other);
    }

    JarProcess.Result status = jar("status");
    assertThat(status.exitCode()).as("status reads the old table: %s", status).isZero();
    JarProcess.Result copied = jar("copy", "-p", "2");
    assertThat(copied.exitCode()).as(copied.toString()).isZero();
    assertThat(target.count(NEW_COLUMNS)).isEqualTo(3);
    assertSameRows("public.metrics", null);
  }
}
