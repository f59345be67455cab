package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code stage --dry-run} with the Timescale License: it creates no target chunk (a real stage
 * would), counts the rows of compressed target chunks that copy would replace, and shows caggs by
 * view name.
 */
class TslStageDryRunIT extends TslIntegrationTest {

  private static JsonNode summary(ToolRun run) throws Exception {
    JsonNode found = null;
    for (String line : run.out().split("\n")) {
      JsonNode n = new ObjectMapper().readTree(line);
      if (n.path("event").asText().equals("summary")) {
        assertThat(found).as("one summary event in %s", run).isNull();
        found = n;
      }
    }
    assertThat(found).as("summary event in %s", run).isNotNull();
    return found;
  }

  private String targetState() {
    return target.value(
            "SELECT count(*) || '/' || count(*) FILTER (WHERE is_compressed)"
                + " FROM timescaledb_information.chunks")
        + " | "
        + target.value("SELECT count(*) FROM pg_namespace WHERE nspname = '__backfill'")
        + " | "
        + target.fingerprint("public.raw", "true")
        + " | "
        + target.value("SELECT count(*) FROM pg_class");
  }

  @Test
  void dryRunCreatesNoChunkAndCountsCompressedTargetRows() throws Exception {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    offsetTargetIds();
    SqlScript.run(target, "tsl-caggs");
    // Dual-written rows in the chunk May 18-25 (one device, 168 rows), compressed on the target.
    target.exec(
        "INSERT INTO public.raw SELECT t, 9, 0 FROM generate_series("
            + "'2023-05-18 00:00+00'::timestamptz, '2023-05-24 23:00+00', '1 hour') t");
    target.exec("ALTER TABLE public.raw SET (timescaledb.compress)");
    target.value("SELECT count(compress_chunk(c)) FROM show_chunks('public.raw') c");
    String before = targetState();
    assertThat(before).startsWith("1/1 | 0 | 168:");

    ToolRun dry =
        stage("--until", "2023-07-01T00:00:00Z", "-f", "^public\\.raw$", "-U", "--dry-run");
    assertOk(dry);
    assertThat(dry.out())
        .contains("public.raw: 5 chunks")
        .contains("copy would delete 168 target rows")
        .contains("public.hourly (continuous aggregate): 1 chunk")
        .contains("public.monthly (continuous aggregate): 1 chunk")
        .contains("Would stage 9 chunks");
    assertThat(targetState()).as("target after the dry run").isEqualTo(before);

    ToolRun json =
        stage(
            "--until",
            "2023-07-01T00:00:00Z",
            "-f",
            "^public\\.raw$",
            "--dry-run",
            "--output",
            "json");
    assertOk(json);
    List<String> raw = new ArrayList<>();
    for (JsonNode c : summary(json).path("hypertables").get(0).path("chunk_list")) {
      raw.add(
          c.path("path").asText()
              + (c.path("creates_target_chunk").asBoolean() ? "+new" : "")
              + ":"
              + c.path("target_rows_to_delete").asLong());
    }
    assertThat(raw)
        .as("public.raw chunks, newest first: path, whether stage creates the target chunk, rows")
        .containsExactly(
            "direct+new:0", "direct:168", "direct+new:0", "direct+new:0", "direct+new:0");
    assertThat(targetState()).as("target after the JSON dry run").isEqualTo(before);

    ToolRun real = stage("--until", "2023-07-01T00:00:00Z", "-f", "^public\\.raw$", "-U");
    assertOk(real);
    assertThat(real.out()).contains("Staged 9 chunks");
    assertThat(
            target.count(
                "SELECT count(*) FROM timescaledb_information.chunks"
                    + " WHERE hypertable_name = 'raw' AND hypertable_schema = 'public'"))
        .as("target chunks of public.raw after the real stage created the missing ones")
        .isEqualTo(5);
  }
}
