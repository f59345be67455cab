package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code stage --dry-run} on the Apache server: it runs every validation of a real stage, shows per
 * hypertable the chunks, bytes, the chunks a bound cuts and how many target rows copy would delete,
 * and writes nothing. The predicted deletes are checked against what a real stage and copy then
 * delete, on the direct path (restored target) and the routed path (target with other chunk
 * intervals). Also {@code --pause-jobs} where the license has no policies.
 */
class StageDryRunIT extends IntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNTIL = "2023-05-26T00:00:00Z";

  /**
   * Dual-written rows on the target: device 'dual', hourly from May 20 to May 31 23:00 (288 rows).
   * With --until May 26 copy deletes those of the chunk May 18-25 (120) and of the cut chunk May
   * 25-Jun 1 before May 26 (24): 144.
   */
  private void dualWriteRows() {
    target.exec(
        "INSERT INTO public.metrics SELECT t, 'dual', 0 FROM generate_series("
            + "'2023-05-20 00:00+00'::timestamptz, '2023-05-31 23:00+00', '1 hour') t");
  }

  /** What must not change on the target: its schemas, relations and rows. */
  private String targetState() {
    return target.value("SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace")
        + " | "
        + target.value(
            "SELECT count(*) || ':' || sum(hashtext(c.oid::regclass::text))"
                + " FROM pg_class c WHERE c.relnamespace NOT IN"
                + " ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)")
        + " | "
        + target.value(
            "SELECT string_agg(chunk_schema || '.' || chunk_name, ',' ORDER BY chunk_name)"
                + " FROM timescaledb_information.chunks")
        + " | "
        + target.fingerprint("public.metrics", "true");
  }

  private static JsonNode summary(ToolRun run) throws Exception {
    List<JsonNode> summaries = new ArrayList<>();
    for (String line : run.out().split("\n")) {
      assertThat(line).as("stdout line of %s", run).startsWith("{");
      JsonNode n = JSON.readTree(line);
      if (n.path("event").asText().equals("summary")) {
        summaries.add(n);
      }
    }
    assertThat(summaries).as("summary events of %s", run).hasSize(1);
    return summaries.get(0);
  }

  @Test
  void directPathPreviewWritesNothingAndPredictsTheDeletes() throws Exception {
    sourceFixtureWithRestoredTarget("metrics");
    dualWriteRows();
    String before = targetState();

    ToolRun dry = stage("--until", UNTIL, "--dry-run");
    assertOk(dry);
    assertThat(dry.out())
        .contains("Dry run: nothing is written")
        .contains("public.metrics: 5 chunks (")
        .contains("1 cut by a bound")
        .contains("copy would delete 144 target rows")
        .contains("Would stage 5 chunks")
        .containsPattern(
            "cut: \\[[^)]+\\) _timescaledb_internal\\._hyper_1_5_chunk where \"time\" <"
                + " '2023-05-26T00:00:00Z' \\(direct, 24 target rows to delete\\)");
    assertThat(targetState()).as("target after the dry run").isEqualTo(before);
    assertThat(target.exists("__backfill.task")).isFalse();

    ToolRun json = stage("--until", UNTIL, "--dry-run", "--output", "json");
    assertOk(json);
    JsonNode s = summary(json);
    assertThat(s.path("dry_run").asBoolean()).isTrue();
    assertThat(s.path("would_stage").asInt()).isEqualTo(5);
    assertThat(s.path("target_rows_to_delete").asLong()).isEqualTo(144);
    JsonNode h = s.path("hypertables").get(0);
    assertThat(h.path("hypertable").asText()).isEqualTo("public.metrics");
    assertThat(h.path("partial").asInt()).isEqualTo(1);
    assertThat(h.path("until").asText()).isEqualTo("2023-05-26T00:00:00Z");
    assertThat(h.path("oldest").asText())
        .isEqualTo(
            source.value(
                "SELECT to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM public.metrics"));
    assertThat(h.path("newest").asText())
        .isEqualTo(
            source.value(
                "SELECT to_char(max(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM public.metrics"));
    assertThat(h.path("source_bytes").asLong()).isPositive();
    assertThat(h.path("chunk_list")).hasSize(5);
    List<String> perChunk = new ArrayList<>();
    for (JsonNode c : h.path("chunk_list")) {
      assertThat(c.path("path").asText()).as("path of %s", c).isEqualTo("direct");
      perChunk.add(
          c.path("target_rows_to_delete").asLong() + (c.path("filter").isNull() ? "" : "cut"));
    }
    assertThat(perChunk)
        .as("target rows to delete per chunk, newest first")
        .containsExactly("24cut", "120", "0", "0", "0");
    assertThat(targetState()).as("target after the JSON dry run").isEqualTo(before);

    // The real thing deletes what the dry run said.
    assertOk(stage("--until", UNTIL));
    assertOk(copy("-p", "2"));
    assertThat(target.count("SELECT count(*) FROM public.metrics WHERE device_id = 'dual'"))
        .as("dual-written rows left after the copy (288 minus the 144 predicted)")
        .isEqualTo(288 - 144);
    assertSameRows("public.metrics", "time < '" + UNTIL + "'");
  }

  @Test
  void routedPathPreviewCountsTheTargetHypertableRowsOfTheSourceChunkRange() throws Exception {
    sourceFixtureWithFreshTarget("metrics");
    // One-day chunks on the target: no target chunk has a source chunk's slices, so copy routes.
    target.exec("SELECT set_chunk_time_interval('public.metrics', interval '1 day')");
    dualWriteRows();
    String before = targetState();

    ToolRun json = stage("--until", UNTIL, "--dry-run", "--output", "json");
    assertOk(json);
    JsonNode h = summary(json).path("hypertables").get(0);
    List<String> perChunk = new ArrayList<>();
    for (JsonNode c : h.path("chunk_list")) {
      perChunk.add(c.path("path").asText() + ":" + c.path("target_rows_to_delete").asLong());
    }
    assertThat(perChunk)
        .containsExactly("routed:24", "routed:120", "routed:0", "routed:0", "routed:0");
    assertThat(json.err()).contains("copy would delete 144 target rows");
    assertThat(targetState()).as("target after the dry run").isEqualTo(before);

    assertOk(stage("--until", UNTIL));
    assertOk(copy("-p", "2"));
    assertThat(target.count("SELECT count(*) FROM public.metrics WHERE device_id = 'dual'"))
        .isEqualTo(288 - 144);
    assertSameRows("public.metrics", "time < '" + UNTIL + "'");
  }

  @Test
  void validationsFailAsInARealStageAndNothingIsWritten() {
    sourceFixtureWithRestoredTarget("metrics");
    target.exec("ALTER TABLE public.metrics ADD COLUMN extra bigint");
    String before = targetState();
    ToolRun dry = stage("--until", UNTIL, "--dry-run");
    ToolRun real = stage("--until", UNTIL);
    assertThat(dry.exitCode()).as("dry run: %s", dry).isEqualTo(3);
    assertThat(real.exitCode()).as("real stage: %s", real).isEqualTo(3);
    assertThat(dry.err()).contains("public.metrics has different columns").contains("extra");
    assertThat(targetState()).isEqualTo(before);

    ToolRun badUntil = stage("--until", "not a time", "--dry-run");
    assertThat(badUntil.exitCode()).as("%s", badUntil).isEqualTo(2);
    assertThat(badUntil.err()).contains("--until");
    ToolRun inverted = stage("--from", UNTIL, "--until", "2023-05-01T00:00:00Z", "--dry-run");
    assertThat(inverted.exitCode()).as("%s", inverted).isEqualTo(2);
    assertThat(targetState()).isEqualTo(before);
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  @Test
  void chunksStagedAlreadyAreCountedAsSkipped() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-05-11T00:00:00Z"));
    long tasks = taskCount("true");
    String before = targetState() + target.fingerprint("__backfill.task", "true");

    ToolRun dry = stage("--until", UNTIL, "--dry-run");
    assertOk(dry);
    assertThat(dry.out())
        .contains(tasks + " chunks are staged already and would be skipped")
        .contains("Would stage " + (5 - tasks) + " chunks");
    assertThat(targetState() + target.fingerprint("__backfill.task", "true")).isEqualTo(before);
  }

  @Test
  void pauseJobsIsANoOpWithANoteOnTheApacheLicense() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun staged = stage("--until", UNTIL, "--pause-jobs");
    assertOk(staged);
    assertThat(staged.err()).contains("Apache license").contains("nothing paused");
    assertThat(staged.all()).doesNotContain("Warning: scheduled").doesNotContain("Paused job");
    assertThat(target.exists("__backfill.paused_job")).isFalse();
    assertThat(
            target.count("SELECT count(*) FROM timescaledb_information.jobs WHERE NOT scheduled"))
        .as("paused jobs on the target")
        .isZero();

    ToolRun plain = stage("--until", UNTIL);
    assertOk(plain);
    assertThat(plain.err())
        .as("a stage without --pause-jobs warns of no job")
        .doesNotContain("job");

    ToolRun resumed = tool("resume-jobs", "--target", target.uri());
    assertOk(resumed);
    assertThat(resumed.out()).contains("Nothing to resume");
    ToolRun cleaned = tool("clean", "--target", target.uri(), "--resume-jobs", "--force");
    assertOk(cleaned);
    assertThat(cleaned.out()).contains("Removed the __backfill schema");
    ToolRun noSchema = tool("resume-jobs", "--target", target.uri());
    assertThat(noSchema.exitCode()).as("%s", noSchema).isEqualTo(3);
  }
}
