package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end, the built jar as an operator reads it: chunks named by hypertable, time range and
 * plain names in every JSON event and status row; bounds that mean one instant whatever the time
 * zone, and that refuse words and ambiguous dates.
 */
class OperatorViewIT extends IntegrationTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private ToolRun jar(Map<String, String> env, String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command));
    if (!List.of("clean", "status").contains(command)) {
      args.addAll(List.of("--source", source.uri()));
    }
    args.addAll(List.of("--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return ToolProcess.run(env, TIMEOUT, args.toArray(String[]::new));
  }

  private static void assertNoStackTrace(ToolRun r) {
    assertThat(r.all()).as("no stack trace without -vv: %s", r).doesNotContain("\tat ");
  }

  @Test
  void everyChunkEventAndStatusRowNamesTheHypertableTheRangeAndPlainNames() {
    sourceFixtureWithRestoredTarget("metrics", "zoo");
    ToolRun staged = jar(Map.of(), "stage", "--until", "2030-01-01T00:00:00Z", "--output", "json");
    assertThat(staged.exitCode()).as("%s", staged).isZero();
    List<String> hypertables = staged.events("summary").get(0).findValuesAsText("hypertable");
    assertThat(hypertables).containsExactlyInAnyOrder("public.metrics", "\"Zoo\".\"Mixed Case\"");

    ToolRun copied = jar(Map.of(), "copy", "-p", "2", "--output", "json");
    assertThat(copied.exitCode()).as("%s", copied).isZero();
    assertNoStackTrace(copied);
    List<JsonNode> finished = copied.events("chunk_finished");
    assertThat(finished).hasSize((int) taskCount("true"));
    for (JsonNode f : finished) {
      String chunk = f.path("source_chunk").asText();
      assertThat(chunk).as("plain name in %s", f).startsWith("_timescaledb_internal._hyper_");
      assertThat(f.path("target_chunk").asText()).isEqualTo(chunk);
      assertThat(f.path("hypertable").asText()).isIn(hypertables);
      // The range is the task's time slice, as plain timestamps (timestamptz: UTC).
      List<String> slice =
          target
              .rows(
                  "SELECT dimensions->0->>'range_start', dimensions->0->>'range_end'"
                      + " FROM __backfill.task WHERE format('%I.%I', chunk_schema, chunk_name) = '"
                      + chunk
                      + "'")
              .get(0);
      assertThat(micros(f.path("range_start").asText())).isEqualTo(Long.parseLong(slice.get(0)));
      assertThat(micros(f.path("range_end").asText())).isEqualTo(Long.parseLong(slice.get(1)));
      assertThat(f.path("copy_bytes").asLong()).isPositive();
      assertThat(f.path("source_bytes").asLong()).isPositive();
    }
    for (JsonNode s : copied.events("chunk_started")) {
      assertThat(s.path("hypertable").asText()).isIn(hypertables);
      assertThat(s.path("range_start").asText()).endsWith("Z");
    }

    ToolRun status = jar(Map.of(), "status", "--output", "json");
    assertThat(status.exitCode()).as("%s", status).isZero();
    assertThat(status.events("status").get(0).path("hypertables").findValuesAsText("hypertable"))
        .containsExactlyInAnyOrderElementsOf(hypertables);
    ToolRun text = jar(Map.of(), "status");
    assertThat(text.out()).contains("public.metrics").contains("\"Zoo\".\"Mixed Case\"");
  }

  private static long micros(String iso) {
    java.time.Instant i = java.time.Instant.parse(iso);
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }

  @Test
  void boundsThatDependOnTheDayOrTheDateStyleAreUsageErrorsAndWriteNothing() {
    sourceFixtureWithRestoredTarget("metrics");
    for (String bad : new String[] {"now", "yesterday", "infinity", "04/01/2024"}) {
      ToolRun r = jar(Map.of(), "stage", "--until", bad, "--output", "json");
      assertThat(r.exitCode()).as("--until %s: %s", bad, r).isEqualTo(2);
      assertThat(r.events("error").get(0).path("exit_code").asInt()).isEqualTo(2);
      assertThat(r.err().lines().filter(l -> l.startsWith("error: ")).count())
          .as("one error line: %s", r)
          .isEqualTo(1);
      assertNoStackTrace(r);
      ToolRun from = jar(Map.of(), "stage", "--from", bad, "--until", "2023-06-01T00:00:00Z");
      assertThat(from.exitCode()).as("--from %s: %s", bad, from).isEqualTo(2);
    }
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  @Test
  void anOffsetLessBoundIsTheSameInstantInEveryTimeZoneAndSaysSo() {
    sourceFixtureWithRestoredTarget("metrics");
    String until = "2023-05-26T00:00:00";
    for (String tz : new String[] {"America/New_York", "Asia/Tokyo", "UTC"}) {
      ToolRun dry =
          jar(Map.of("TZ", tz), "stage", "--until", until, "--dry-run", "--output", "json");
      assertThat(dry.exitCode()).as("TZ=%s: %s", tz, dry).isZero();
      JsonNode h = dry.events("summary").get(0).path("hypertables").get(0);
      assertThat(h.path("until").asText()).as("TZ=%s", tz).isEqualTo("2023-05-26T00:00:00Z");
      assertThat(h.path("oldest").asText()).isEqualTo("2023-05-01T00:00:00Z");
      assertThat(h.path("newest").asText()).isEqualTo("2023-05-31T23:00:00Z");
      assertThat(dry.err()).as("the warning names the time zone used").contains("UTC");
    }
    ToolRun staged = jar(Map.of("TZ", "Asia/Tokyo"), "stage", "--until", until);
    assertThat(staged.exitCode()).as("%s", staged).isZero();
    assertThat(
            target.count(
                "SELECT count(*) FROM __backfill.task WHERE filter IS NOT NULL AND"
                    + " substring(filter from '''([^'']*)''')::timestamptz"
                    + " = '2023-05-26 00:00+00'"))
        .as("the cut chunk's filter ends at midnight UTC")
        .isEqualTo(1);
    ToolRun withOffset =
        jar(Map.of(), "stage", "--until", "2023-05-26T00:00:00+02:00", "--dry-run");
    assertThat(withOffset.exitCode()).isZero();
    assertThat(withOffset.err()).as("no time zone to name").doesNotContain("UTC");
  }
}
