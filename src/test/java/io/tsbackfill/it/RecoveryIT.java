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

  @Test
  void aVerifyFailureIsRequeuedCopiedAndVerifiedAgainWithoutClean() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertThat(jar("copy", "-p", "2").exitCode()).isZero();
    target.exec(
        "UPDATE public.metrics SET val = val + 1"
            + " WHERE time = '2023-05-12 10:00+00' AND device_id = '1'");

    JarProcess.Result v = jar("verify", "-p", "2", "--output", "json");
    assertThat(v.exitCode()).as("differences: %s", v).isEqualTo(6);
    assertThat(event(v, "summary").path("different").asInt()).isEqualTo(1);
    assertThat(v.lines())
        .as("verify's advice names the command")
        .anyMatch(
            l -> l.strip().equals("timescaledb-backfill requeue --target ... --verify-failed"));
    assertThat(
            event(jar("status", "--output", "json"), "status")
                .path("total")
                .path("verify_failed")
                .asInt())
        .isEqualTo(1);

    JarProcess.Result noSelector = jar("requeue");
    assertThat(noSelector.exitCode()).as("requeue without a selector: %s", noSelector).isEqualTo(2);
    JarProcess.Result noMatch = jar("requeue", "--filter", "^public\\.nothing$");
    assertThat(noMatch.exitCode()).as("a filter that matches no task: %s", noMatch).isEqualTo(3);
    assertThat(taskCount("verified IS NOT NULL")).as("nothing requeued yet").isEqualTo(4);

    JarProcess.Result rq = jar("requeue", "--verify-failed", "--output", "json");
    assertThat(rq.exitCode()).as(rq.toString()).isZero();
    JsonNode requeued = event(rq, "summary");
    assertThat(requeued.path("requeued").asInt()).isEqualTo(1);
    assertThat(requeued.path("verify_failed").asInt()).isEqualTo(1);
    assertThat(taskCount("worked IS NULL AND verify_message IS NULL AND copied_rows IS NULL"))
        .isEqualTo(1);

    JarProcess.Result copied = jar("copy", "--output", "json");
    assertThat(copied.exitCode()).as(copied.toString()).isZero();
    assertThat(event(copied, "summary").path("copied").asInt()).isEqualTo(1);
    JarProcess.Result verified = jar("verify", "--output", "json");
    assertThat(verified.exitCode()).as(verified.toString()).isZero();
    assertThat(event(verified, "summary").path("verified").asInt()).isEqualTo(1);
    assertSameRows("public.metrics", null);

    JarProcess.Result none = jar("requeue", "--verify-failed", "--output", "json");
    assertThat(none.exitCode()).as(none.toString()).isZero();
    assertThat(event(none, "summary").path("requeued").asInt()).isZero();
  }

  @Test
  void cleanRefusesWhileChunksAreUnfinishedAndKeepsTheEvidenceWhenForced(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    stagedWithOneRejectedChunk();
    JarProcess.Result pending = jar("clean", "--output", "json");
    assertThat(pending.exitCode()).as("5 chunks pending: %s", pending).isEqualTo(3);
    assertThat(target.exists("__backfill.task")).isTrue();

    assertThat(jar("copy", "-p", "2").exitCode()).isEqualTo(5);
    JarProcess.Result failed = jar("clean");
    assertThat(failed.exitCode()).as("1 chunk failed to copy: %s", failed).isEqualTo(3);
    JarProcess.Result badReport =
        jar("clean", "--force", "--report", dir.resolve("t.txt").toString());
    assertThat(badReport.exitCode())
        .as("a report that is neither CSV nor JSON: %s", badReport)
        .isEqualTo(2);
    assertThat(target.exists("__backfill.task")).isTrue();

    java.nio.file.Path csv = dir.resolve("tasks.csv");
    JarProcess.Result forced =
        jar("clean", "--force", "--report", csv.toString(), "--output", "json");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    JsonNode summary = event(forced, "summary");
    assertThat(summary.path("removed").asBoolean()).isTrue();
    assertThat(summary.path("copy_failed").asInt()).isEqualTo(1);
    assertThat(summary.path("reported_tasks").asInt()).isEqualTo(5);
    assertThat(target.exists("__backfill.task")).isFalse();
    List<java.util.Map<String, String>> rows = csvRows(csv);
    assertThat(rows).hasSize(5);
    assertThat(rows).filteredOn(r -> "23514".equals(r.get("copy_sqlstate"))).hasSize(1);
    assertThat(rows).filteredOn(r -> !r.get("worked").isEmpty()).hasSize(4);

    // The upstream runbook, stage -> copy -> clean, goes through: copied, never verified.
    target.exec("ALTER TABLE public.metrics DROP CONSTRAINT no_may_12");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertThat(jar("copy", "-p", "2").exitCode()).isZero();
    java.nio.file.Path json = dir.resolve("tasks.json");
    JarProcess.Result clean = jar("clean", "--report", json.toString(), "--output", "json");
    assertThat(clean.exitCode()).as("copied but unverified chunks: %s", clean).isZero();
    assertThat(event(clean, "summary").path("unverified").asInt()).isEqualTo(5);
    JsonNode tasks = JSON.readTree(json.toFile());
    assertThat(tasks.isArray()).isTrue();
    assertThat(tasks).hasSize(5);
    assertThat(tasks.get(0).path("copy_path").asText()).isIn("direct", "routed");
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  private static List<java.util.Map<String, String>> csvRows(java.nio.file.Path csv)
      throws IOException {
    com.fasterxml.jackson.dataformat.csv.CsvMapper mapper =
        new com.fasterxml.jackson.dataformat.csv.CsvMapper();
    try (com.fasterxml.jackson.databind.MappingIterator<java.util.Map<String, String>> it =
        mapper
            .readerFor(java.util.Map.class)
            .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
            .readValues(csv.toFile())) {
      return it.readAll();
    }
  }

  @Test
  void aStageFilterThatMatchesNothingIsABadStateNamingWhatExists() {
    sourceFixtureWithRestoredTarget("metrics");
    JarProcess.Result r =
        JarProcess.run(
            TIMEOUT,
            List.of(
                "stage",
                "--source",
                source.uri(),
                "--target",
                target.uri(),
                "--until",
                "2023-06-01T00:00:00Z",
                "--filter",
                "^public\\.metric$"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
    assertThat(r.output()).as("it names what exists").contains("public.metrics");
    assertThat(target.exists("__backfill.task")).as("nothing written").isFalse();
  }

  @Test
  void aChunkRetriedUntilItFailsIsCountedOnceAndNoOtherWorkerTakesItUp() {
    sourceFixtureWithRestoredTarget("metrics");
    // A transient error that never passes: every attempt at the rows of May 12 fails with 40001.
    target.exec(
        "CREATE FUNCTION public.always_40001() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN IF NEW.time >= '2023-05-12 00:00+00' AND NEW.time < '2023-05-13 00:00+00'"
            + " THEN RAISE EXCEPTION 'could not serialize access (test)'"
            + " USING ERRCODE = 'serialization_failure'; END IF; RETURN NEW; END $$");
    target.exec(
        "CREATE TRIGGER always_40001 BEFORE INSERT ON public.metrics"
            + " FOR EACH ROW EXECUTE FUNCTION public.always_40001()");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));

    JarProcess.Result r = jar("copy", "-p", "2", "--retries", "2", "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
    List<JsonNode> ends =
        events(r).stream()
            .filter(
                e -> List.of("chunk_finished", "chunk_failed").contains(e.path("event").asText()))
            .toList();
    assertThat(ends).as("one end per chunk: %s", r).hasSize(5);
    for (JsonNode e : ends) {
      assertThat(e.path("index").asInt())
          .as("counter of %s", e)
          .isBetween(1, e.path("total").asInt());
    }
    assertThat(eventCount(r, "chunk_failed")).isEqualTo(1);
    assertThat(eventCount(r, "retry")).as("two retries of the one chunk: %s", r).isEqualTo(2);
    JsonNode summary = event(r, "summary");
    assertThat(summary.path("failed_chunks")).hasSize(1);
    assertThat(summary.path("failures").get(0).path("sqlstate").asText()).isEqualTo("40001");
    assertThat(summary.path("copied").asInt()).isEqualTo(4);
    assertThat(
            taskCount(
                "worked IS NULL AND copy_sqlstate = '40001'"
                    + " AND copy_message LIKE '%after 3 attempts%'"))
        .isEqualTo(1);
  }
}
