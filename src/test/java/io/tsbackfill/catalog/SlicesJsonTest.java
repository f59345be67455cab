package io.tsbackfill.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The task table's dimensions JSON and create_chunk's slices argument, written and read back. */
class SlicesJsonTest {
  private static final List<Slice> SLICES =
      List.of(
          new Slice("time", "timestamp with time zone", 1704067200000000L, 1704153600000000L),
          new Slice("de\"vice \\ id", "integer", Long.MIN_VALUE, 1073741823L));

  @Test
  void dimensionsJsonRoundTripsEveryFieldIncludingQuotesAndExtremeBounds() {
    String json = Catalog.slicesJson(SLICES);
    assertThat(json)
        .startsWith("[{\"column_name\":\"time\",\"column_type\":\"timestamp with time zone\"");
    assertThat(Catalog.parseSlices(json)).isEqualTo(SLICES);
  }

  @Test
  void dimensionsAsPostgresReturnsThemAreReadToo() {
    // jsonb text: spaces, another key order, bounds as strings, unknown keys.
    String json =
        "[{\"range_end\": \"1704153600000000\", \"extra\": {\"a\": [1]}, \"column_name\": \"time\","
            + " \"column_type\": \"timestamp with time zone\", \"range_start\": 1704067200000000}]";
    assertThat(Catalog.parseSlices(json)).containsExactly(SLICES.get(0));
  }

  @Test
  void createChunkSlicesMapsEachColumnToItsRange() {
    assertThat(Catalog.createChunkSlices(SLICES))
        .isEqualTo(
            "{\"time\":[1704067200000000,1704153600000000],"
                + "\"de\\\"vice \\\\ id\":[-9223372036854775808,1073741823]}");
  }

  @Test
  void brokenDimensionsJsonIsRefusedWithItsText() {
    assertThatThrownBy(() -> Catalog.parseSlices("[{\"column_name\": \"time\"}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks a field")
        .hasMessageContaining("column_name");
    assertThatThrownBy(() -> Catalog.parseSlices("{\"time\": 1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid dimensions JSON");
    assertThatThrownBy(() -> Catalog.parseSlices("[{\"range_start\": 1.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid dimensions JSON");
  }
}
