package io.tsbackfill.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.db.BackfillException;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The copy's switches, read from their system properties (which win over the environment). */
class SwitchesTest {
  private static final String ENV = "BACKFILL_SWITCHES_TEST_UNSET";
  private static final String PROPERTY = "backfill.switches-test";

  @AfterEach
  void clear() {
    System.clearProperty(PROPERTY);
  }

  @Test
  void onOffSwitchesAreOnUnlessSaidOff() {
    assertThat(Switches.on(ENV, PROPERTY)).isTrue();
    for (String off : new String[] {"off", " OFF ", "false", "0", "no"}) {
      System.setProperty(PROPERTY, off);
      assertThat(Switches.on(ENV, PROPERTY)).as(off).isFalse();
    }
    System.setProperty(PROPERTY, "Yes");
    assertThat(Switches.on(ENV, PROPERTY)).isTrue();
    System.setProperty(PROPERTY, "auto");
    assertThatThrownBy(() -> Switches.on(ENV, PROPERTY))
        .isInstanceOf(BackfillException.class)
        .hasMessage(ENV + " 'auto' is neither on nor off");
  }

  @Test
  void autoSwitchesAreEmptyUnlessSaidOnOrOff() {
    assertThat(Switches.onOffOrAuto(ENV, PROPERTY)).isEmpty();
    System.setProperty(PROPERTY, " Auto");
    assertThat(Switches.onOffOrAuto(ENV, PROPERTY)).isEmpty();
    System.setProperty(PROPERTY, "on");
    assertThat(Switches.onOffOrAuto(ENV, PROPERTY)).isEqualTo(Optional.of(true));
    System.setProperty(PROPERTY, "off");
    assertThat(Switches.onOffOrAuto(ENV, PROPERTY)).isEqualTo(Optional.of(false));
    System.setProperty(PROPERTY, "sometimes");
    assertThatThrownBy(() -> Switches.onOffOrAuto(ENV, PROPERTY))
        .isInstanceOf(BackfillException.class)
        .hasMessage(ENV + " 'sometimes' is not on, off or auto")
        .satisfies(e -> assertThat(((BackfillException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void chunkCreationByDefaultStartsAtOneMegabyte() {
    System.clearProperty(ChunkCreator.PROPERTY);
    assertThat(ChunkCreator.minBytes()).hasValue(1 << 20);
    try {
      System.setProperty(ChunkCreator.PROPERTY, "on");
      assertThat(ChunkCreator.minBytes()).hasValue(0);
      System.setProperty(ChunkCreator.PROPERTY, "off");
      assertThat(ChunkCreator.minBytes()).isEmpty();
    } finally {
      System.clearProperty(ChunkCreator.PROPERTY);
    }
  }
}
