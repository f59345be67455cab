package io.tsbackfill.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The segments a last-first copy reads a chunk in: every block once, from the last to the first.
 */
class ReversedCopyTest {

  @Test
  void segmentsCoverEveryBlockOnceFromTheEndGrowingToTheFullSize() {
    List<String> sqls = ReversedCopy.segments((from, to) -> from + "-" + to, 2000);
    assertThat(sqls)
        .containsExactly(
            "1968--1", "1904-1968", "1776-1904", "1520-1776", "1008-1520", "496-1008", "0-496");
  }

  @Test
  void aSmallTableIsOneSegmentWithoutBounds() {
    assertThat(ReversedCopy.segments((from, to) -> from + "-" + to, 10)).containsExactly("0--1");
    assertThat(ReversedCopy.segments((from, to) -> from + "-" + to, 0)).containsExactly("0--1");
  }
}
