package io.tsbackfill.cagg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The window arithmetic refresh-caggs plans carried invalidations with. */
class WindowTest {
  @Test
  void inclusiveRangesBecomeHalfOpenAndTheOpenEndStays() {
    assertThat(Window.ofInclusive(10, 19)).isEqualTo(new Window(10, 20));
    assertThat(Window.ofInclusive(10, Long.MAX_VALUE)).isEqualTo(new Window(10, Long.MAX_VALUE));
  }

  @Test
  void mergeJoinsOverlappingAndAdjacentAndDropsEmpty() {
    assertThat(
            Window.merge(
                List.of(
                    new Window(30, 40),
                    new Window(0, 10),
                    new Window(10, 15),
                    new Window(35, 50),
                    new Window(60, 60),
                    new Window(70, 80))))
        .containsExactly(new Window(0, 15), new Window(30, 50), new Window(70, 80));
  }

  @Test
  void intersectCutsToTheStagedRangeBelowTheWatermark() {
    assertThat(new Window(Long.MIN_VALUE, Long.MAX_VALUE).intersect(100, 200))
        .isEqualTo(new Window(100, 200));
    assertThat(new Window(250, 300).intersect(100, 200).isEmpty()).isTrue();
  }

  @Test
  void subtractLeavesWhatLiesOutsideTheCut() {
    List<Window> ws = List.of(new Window(0, 10), new Window(20, 40), new Window(50, 60));
    assertThat(Window.subtract(ws, new Window(30, 55)))
        .containsExactly(new Window(0, 10), new Window(20, 30), new Window(55, 60));
    assertThat(Window.subtract(ws, new Window(5, 5))).isEqualTo(ws);
    assertThat(Window.subtract(ws, new Window(-10, 100))).isEmpty();
  }
}
