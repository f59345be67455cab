package io.tsbackfill.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ranges verify --caggs compares: staged slices, the gaps between them, below a watermark. */
class CaggVerifierTest {
  private static CaggVerifier.Slice slice(long start, long end) {
    return new CaggVerifier.Slice("bucket", start, end);
  }

  @Test
  void slicesAndTheGapsBetweenThemUpToTheWatermark() {
    List<long[]> ranges =
        CaggVerifier.ranges(List.of(slice(0, 10), slice(10, 20), slice(30, 40), slice(40, 50)), 45);
    assertThat(ranges)
        .containsExactly(
            new long[] {0, 10},
            new long[] {10, 20},
            new long[] {20, 30},
            new long[] {30, 40},
            new long[] {40, 45});
  }

  @Test
  void nothingWhenASideHasMaterializedNothing() {
    assertThat(CaggVerifier.ranges(List.of(slice(0, 10)), Long.MIN_VALUE)).isEmpty();
    assertThat(CaggVerifier.ranges(List.of(slice(0, 10)), 0)).isEmpty();
  }
}
