package io.tsbackfill.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.catalog.ChunkSpan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When existing target chunks take all rows of a routed chunk's time range [100, 200). */
class ChunkCopierCoversTest {
  @Test
  void coveredOnlyWithoutGapsFromStartToEnd() {
    assertThat(ChunkCopier.covers(List.of(span(50, 150), span(150, 250)), 100, 200)).isTrue();
    assertThat(ChunkCopier.covers(List.of(span(100, 200)), 100, 200)).isTrue();
    assertThat(ChunkCopier.covers(List.of(span(100, 140), span(150, 200)), 100, 200)).isFalse();
    assertThat(ChunkCopier.covers(List.of(span(110, 200)), 100, 200)).isFalse();
    assertThat(ChunkCopier.covers(List.of(span(100, 190)), 100, 200)).isFalse();
    assertThat(ChunkCopier.covers(List.of(), 100, 200)).isFalse();
  }

  private static ChunkSpan span(long start, long end) {
    return new ChunkSpan("s", "c" + start, start, end, true, false);
  }
}
