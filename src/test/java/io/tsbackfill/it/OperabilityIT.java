package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.testbed.ToolRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What operators and runbooks see: JSON events, status, plain progress lines, the log file. */
class OperabilityIT extends IntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolRun run(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command));
    if (!command.equals("clean") && !command.equals("status")) {
      args.addAll(List.of("--source", source.uri()));
    }
    args.addAll(List.of("--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return tool(args.toArray(String[]::new));
  }

  /** Every stdout line is one JSON object; returns them. */
  private static List<JsonNode> events(ToolRun run) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : run.out().split("\n")) {
      assertThat(line).as("stdout line of %s", run).startsWith("{");
      JsonNode n = JSON.readTree(line);
      assertThat(n.path("event").asText()).isNotEmpty();
      assertThat(n.path("time").asText()).isNotEmpty();
      out.add(n);
    }
    return out;
  }

  private static List<JsonNode> ofType(List<JsonNode> events, String type) {
    return events.stream().filter(e -> e.path("event").asText().equals(type)).toList();
  }

  @Test
  void jsonEventsParseAndMatchTheTaskTable() throws Exception {
    sourceFixtureWithRestoredTarget("metrics", "zoo");
    ToolRun staged = run("stage", "--until", "2030-01-01T00:00:00Z", "--output", "json");
    assertOk(staged);
    JsonNode stageSummary = ofType(events(staged), "summary").get(0);
    long tasks = taskCount("true");
    assertThat(stageSummary.path("staged").asLong()).isEqualTo(tasks);
    assertThat(stageSummary.path("hypertables")).hasSize(2);
    assertThat(staged.err()).contains("Staged " + tasks + " chunks");

    ToolRun copied = run("copy", "-p", "2", "--output", "json");
    assertOk(copied);
    List<JsonNode> ev = events(copied);
    assertThat(ofType(ev, "start").get(0).path("chunks").asLong()).isEqualTo(tasks);
    assertThat(ofType(ev, "chunk_started")).hasSize((int) tasks);
    List<JsonNode> finished = ofType(ev, "chunk_finished");
    assertThat(finished).hasSize((int) tasks);
    long rows = finished.stream().mapToLong(e -> e.path("rows").asLong()).sum();
    long bytes = finished.stream().mapToLong(e -> e.path("copy_bytes").asLong()).sum();
    assertThat(rows)
        .isEqualTo(target.count("SELECT sum(copied_rows) FROM __backfill.task"))
        .isEqualTo(
            target.count("SELECT count(*) FROM public.metrics")
                + target.count("SELECT count(*) FROM \"Zoo\".\"Mixed Case\""));
    assertThat(bytes).isEqualTo(target.count("SELECT sum(copied_bytes) FROM __backfill.task"));
    for (JsonNode f : finished) {
      assertThat(f.path("outcome").asText()).isEqualTo("copied");
      assertThat(f.path("path").asText()).isEqualTo("direct");
      String chunk = f.path("source_chunk").asText();
      assertThat(
              target.count(
                  "SELECT copied_rows FROM __backfill.task WHERE format('%I.%I',"
                      + " chunk_schema, chunk_name) = '"
                      + chunk.replace("'", "''")
                      + "'"))
          .isEqualTo(f.path("rows").asLong());
      assertThat(f.path("target_chunk").asText()).isEqualTo(chunk);
      assertThat(
              target.value(
                  "SELECT format('%I.%I', hypertable_schema, hypertable_name) || ' '"
                      + " || (dimensions->0->>'range_start') FROM __backfill.task"
                      + " WHERE format('%I.%I', chunk_schema, chunk_name) = '"
                      + chunk.replace("'", "''")
                      + "'"))
          .isEqualTo(
              f.path("hypertable").asText()
                  + " "
                  + java.time.Instant.parse(f.path("range_start").asText()).toEpochMilli() * 1000);
      assertThat(f.path("range_end").asText()).endsWith("Z");
    }
    JsonNode copySummary = ofType(ev, "summary").get(0);
    assertThat(copySummary.path("copied").asLong()).isEqualTo(tasks);
    assertThat(copySummary.path("rows").asLong()).isEqualTo(rows);
    assertThat(copySummary.path("interrupted").asBoolean()).isFalse();

    ToolRun verified = run("verify", "--output", "json");
    assertOk(verified);
    JsonNode verifySummary = ofType(events(verified), "summary").get(0);
    assertThat(verifySummary.path("verified").asLong()).isEqualTo(tasks);
    assertThat(verifySummary.path("failed").asLong()).isZero();

    ToolRun status = run("status", "--output", "json");
    assertOk(status);
    JsonNode total = ofType(events(status), "status").get(0).path("total");
    assertThat(total.path("chunks").asLong()).isEqualTo(tasks);
    assertThat(total.path("verified").asLong()).isEqualTo(tasks);
    assertThat(total.path("rows_copied").asLong()).isEqualTo(rows);

    ToolRun again = run("copy", "--output", "json");
    assertOk(again);
    JsonNode nothing = ofType(events(again), "summary").get(0);
    assertThat(nothing.path("nothing_to_copy").asBoolean()).as(again.toString()).isTrue();
    assertThat(nothing.path("copied").asInt()).isZero();

    ToolRun cleaned = run("clean", "--output", "json");
    assertThat(ofType(events(cleaned), "summary").get(0).path("removed").asBoolean()).isTrue();
  }

  @Test
  void statusMatchesTheTaskTableMidRunAndPlainProgressHasNoEscapeCodes() throws Exception {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(run("stage", "--until", "2023-06-01T00:00:00Z"));
    String blocked =
        target.value(
            "SELECT format('%I.%I', chunk_schema, chunk_name) FROM timescaledb_information.chunks"
                + " ORDER BY range_start LIMIT 1");
    CompletableFuture<ToolRun> copy;
    try (Connection lock = target.connect()) {
      lock.setAutoCommit(false);
      try (Statement st = lock.createStatement()) {
        st.execute("LOCK TABLE " + blocked + " IN ACCESS EXCLUSIVE MODE");
      }
      copy =
          CompletableFuture.supplyAsync(() -> run("copy", "-p", "2", "--progress-interval", "1"));
      ToolRun status = null;
      // Until the four other chunks are copied and the blocked one is in flight: the copy's pace
      // is the machine's, so the deadline is generous.
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < end) {
        status = run("status");
        if (status.out().contains("copying ") && taskCount("worked IS NOT NULL") == 4) {
          break;
        }
        Thread.sleep(100);
      }
      assertOk(status);
      Thread.sleep(1500);
      ToolRun json = run("status", "--output", "json");
      JsonNode total = ofType(events(json), "status").get(0).path("total");
      assertThat(total.path("chunks").asLong()).isEqualTo(taskCount("true")).isEqualTo(5);
      assertThat(total.path("copying").asLong()).isEqualTo(1);
      assertThat(total.path("copied").asLong())
          .isEqualTo(taskCount("worked IS NOT NULL"))
          .isEqualTo(4);
      assertThat(total.path("pending").asLong()).isZero();
      assertThat(total.path("rows_copied").asLong())
          .isEqualTo(target.count("SELECT sum(copied_rows) FROM __backfill.task"));
      JsonNode flight = ofType(events(json), "status").get(0).path("in_flight");
      assertThat(flight).hasSize(1);
      assertThat(flight.get(0).path("source_chunk").asText()).isEqualTo(blocked);
      assertThat(flight.get(0).path("hypertable").asText()).isEqualTo("public.metrics");
      assertThat(status.out())
          .containsPattern("(?m)^public\\.metrics ")
          .containsPattern("copying public\\.metrics \\[\\S+, \\S+\\) _timescaledb_internal\\.");
      lock.rollback();
    }
    ToolRun copied = copy.get(60, TimeUnit.SECONDS);
    assertOk(copied);
    assertThat(copied.all()).doesNotContain("\u001b").doesNotContain("\r");
    assertThat(copied.out())
        .containsPattern(
            "(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) \\[1/5\\] copied ")
        .containsPattern(
            "(?m)^\\S+ copy progress: 4/5 chunks \\(\\d+% of .* staged\\), .*; running: w\\d _hyper_1_1_chunk");
    assertSameRows("public.metrics", null);

    ToolRun after = run("status");
    assertThat(after.out())
        .contains("Copied 5 of 5 chunks (100.0% of the staged on-disk size), verified 0");
  }

  @Test
  void theLogFileHasFullDetailWhileTheConsoleStaysQuiet(@TempDir Path dir) throws Exception {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(run("stage", "--until", "2023-06-01T00:00:00Z"));
    Path log = dir.resolve("backfill.log");
    ToolRun copied = run("copy", "-p", "1", "--log-file", log.toString());
    assertOk(copied);
    String text = Files.readString(log);
    assertThat(text)
        .contains(" DEBUG ")
        .contains("COPY ")
        .contains("[5/5] copied ")
        .doesNotContain("postgres://");
    assertThat(copied.all()).doesNotContain("COPY (SELECT");

    Files.writeString(dir.resolve("plain-file"), "");
    ToolRun missing = run("status", "--log-file", dir.resolve("plain-file/x.log").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot write the log file");
  }

  @Test
  void statusWithoutATaskListIsABadState() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun status = run("status");
    assertThat(status.exitCode()).isEqualTo(3);
    assertThat(status.err()).contains("nothing is staged");
  }

  @Test
  void maxRateHoldsWithinTenPercent() throws Exception {
    String table =
        "CREATE TABLE public.blobs (time timestamptz NOT NULL, payload text);"
            + "SELECT create_hypertable('public.blobs', 'time', chunk_time_interval => interval '1 day');";
    source.exec(table);
    target.exec(table);
    // About 10 MB of COPY data over 3 chunks.
    source.exec(
        "INSERT INTO public.blobs SELECT '2024-01-01'::timestamptz + i * interval '1 minute',"
            + " repeat(md5(i::text), 4) FROM generate_series(0, 4319) i;"
            + "INSERT INTO public.blobs SELECT time + interval '1 second', payload FROM public.blobs;"
            + "INSERT INTO public.blobs SELECT time + interval '2 seconds', payload FROM public.blobs;"
            + "INSERT INTO public.blobs SELECT time + interval '3 seconds', payload FROM public.blobs;"
            + "INSERT INTO public.blobs SELECT time + interval '4 seconds', payload FROM public.blobs;");
    assertOk(run("stage", "--until", "2024-01-04T00:00:00Z"));
    ToolRun copied = run("copy", "-p", "2", "--max-rate", "2MB", "--output", "json");
    assertOk(copied);
    List<JsonNode> ev = events(copied);
    JsonNode summary = ofType(ev, "summary").get(0);
    long bytes = summary.path("copy_bytes").asLong();
    assertThat(bytes).isGreaterThan(8_000_000);
    // Measured over the run's copy phase: from the first chunk start to the last chunk end.
    java.time.Instant first =
        java.time.OffsetDateTime.parse(ofType(ev, "chunk_started").get(0).path("time").asText())
            .toInstant();
    List<JsonNode> ends = ofType(ev, "chunk_finished");
    java.time.Instant last =
        java.time.OffsetDateTime.parse(ends.get(ends.size() - 1).path("time").asText()).toInstant();
    double seconds = java.time.Duration.between(first, last).toMillis() / 1000.0;
    double rate = bytes / seconds;
    System.out.printf(
        java.util.Locale.ROOT,
        "MAX-RATE 2MB: %d bytes in %.2f s = %.3f MB/s%n",
        bytes,
        seconds,
        rate / 1e6);
    // The throttle's promise, independent of how busy the machine is: the copy cannot go faster
    // than the limit, apart from the one second of credit the schedule may hold and the last
    // 64 kB grant of each of the two workers. How close to the limit it gets depends on the
    // machine, so no lower bound on the rate is asserted.
    double floor = (bytes - 2e6 - 2 * 65536) / 2e6;
    assertThat(seconds)
        .as("seconds for %d bytes at --max-rate 2MB (%.3f MB/s)", bytes, rate / 1e6)
        .isGreaterThanOrEqualTo(floor);
    assertSameRows("public.blobs", null);
  }
}
