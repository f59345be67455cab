package io.tsbackfill.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CompressionSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void equalSettingsAgreeAndNullMeansEmpty() throws Exception {
    JsonNode chunk =
        json(
            "{\"segmentby\": null, \"orderby\": [\"time\"], \"orderby_desc\": [true],"
                + " \"orderby_nullsfirst\": [true], \"index\": [{\"type\": \"bloom\"}]}");
    JsonNode hypertable =
        json(
            "{\"segmentby\": [], \"orderby\": [\"time\"], \"orderby_desc\": [true],"
                + " \"orderby_nullsfirst\": [true], \"index\": null}");
    assertThat(CompressionSettings.differences(chunk, hypertable))
        .as("differences (index settings are not compared here)")
        .isEmpty();
  }

  @Test
  void eachDifferenceIsNamedWithBothValues() throws Exception {
    JsonNode chunk =
        json(
            "{\"segmentby\": [\"device_id\", \"label\"], \"orderby\": [\"time\"],"
                + " \"orderby_desc\": [false], \"orderby_nullsfirst\": [false]}");
    JsonNode hypertable =
        json(
            "{\"segmentby\": [\"device_id\"], \"orderby\": [\"time\"],"
                + " \"orderby_desc\": [true], \"orderby_nullsfirst\": [true]}");
    assertThat(CompressionSettings.differences(chunk, hypertable))
        .containsExactly(
            "segmentby [\"device_id\",\"label\"] vs [\"device_id\"]",
            "orderby_desc [false] vs [true]",
            "orderby_nullsfirst [false] vs [true]");
    assertThat(CompressionSettings.differences(chunk, null))
        .as("a target hypertable without compression settings")
        .hasSize(4)
        .allMatch(d -> d.endsWith(" vs none"));
  }

  @Test
  void mismatchMessageNamesBothAndTheFix() {
    String m =
        CompressionSettings.mismatch(
            "_timescaledb_internal.compress_hyper_2_7_chunk",
            "public.metrics",
            java.util.List.of("segmentby [\"device_id\",\"label\"] vs [\"device_id\"]"));
    assertThat(m)
        .contains("_timescaledb_internal.compress_hyper_2_7_chunk")
        .contains("public.metrics")
        .contains("Stop the compression jobs on the source")
        .contains("change the settings back");
  }

  @Test
  void chunksWithTheSameMismatchShareOneSentenceNamingTheFirstFew() {
    java.util.List<String> chunks =
        java.util.List.of("s.c_1_chunk", "s.c_2_chunk", "s.c_3_chunk", "s.c_4_chunk");
    String m =
        CompressionSettings.mismatch(
            chunks, "public.metrics", java.util.List.of("segmentby x vs y"));
    assertThat(m)
        .contains("s.c_1_chunk")
        .contains("s.c_3_chunk")
        .doesNotContain("s.c_4_chunk")
        .contains("public.metrics")
        .contains("segmentby x vs y");
  }
}
