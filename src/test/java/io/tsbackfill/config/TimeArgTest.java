package io.tsbackfill.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.error.BackfillException;
import io.tsbackfill.error.ExitCode;
import org.junit.jupiter.api.Test;

class TimeArgTest {
  @Test
  void isoDatesTimesAndIntegersAreRead() {
    assertThat(TimeArg.parse("--until", "2024-01-04").forType("timestamptz"))
        .isEqualTo("2024-01-04T00:00:00+00:00");
    assertThat(TimeArg.parse("--until", "2024-01-04T12:00:00").forType("timestamptz"))
        .isEqualTo("2024-01-04T12:00:00+00:00");
    assertThat(TimeArg.parse("--until", "2024-01-04 12:00+02:00").forType("timestamptz"))
        .isEqualTo("2024-01-04T12:00:00+02:00");
    assertThat(TimeArg.parse("--until", "2024-01-04T12:00:00.250Z").forType("timestamptz"))
        .isEqualTo("2024-01-04T12:00:00.25+00:00");
    assertThat(TimeArg.parse("--until", "2024-01-04T12:00:00-0530").forType("timestamptz"))
        .isEqualTo("2024-01-04T12:00:00-05:30");
    assertThat(TimeArg.parse("--until", "2024-01-04T12:00:00+02").forType("timestamp"))
        .as("timestamp columns read the wall time, as PostgreSQL's cast does")
        .isEqualTo("2024-01-04T12:00:00");
    assertThat(TimeArg.parse("--until", "2024-01-04Z").forType("timestamptz"))
        .isEqualTo("2024-01-04T00:00:00+00:00");
    assertThat(TimeArg.parse("--until", "-91827364").integer()).hasToString("-91827364");
  }

  @Test
  void whetherAnOffsetWasGiven() {
    assertThat(TimeArg.parse("--until", "2024-01-04T12:00:00").lacksOffset()).isTrue();
    assertThat(TimeArg.parse("--until", "2024-01-04").lacksOffset()).isTrue();
    assertThat(TimeArg.parse("--until", "2024-01-04T12:00Z").lacksOffset()).isFalse();
    assertThat(TimeArg.parse("--until", "12").lacksOffset()).isFalse();
  }

  @Test
  void wordsRelativeTimesAndAmbiguousFormsAreUsageErrors() {
    for (String bad :
        new String[] {
          "now",
          "yesterday",
          "today",
          "infinity",
          "-infinity",
          "epoch",
          "04/01/2024",
          "1/4/2024",
          "2024-1-4",
          "2024-02-30",
          "2024-01-04T25:00",
          "2024-01-04T12",
          "Jan 4 2024",
          "2024-01-04-05",
          "2024-01-04+02:00",
          "2024-01-04 12:00:00 Europe/Berlin",
          "1e9",
          "12.5"
        }) {
      assertThatThrownBy(() -> TimeArg.parse("--until", bad))
          .as("--until %s", bad)
          .isInstanceOfSatisfying(
              BackfillException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                assertThat(e.getMessage()).contains("--until").contains(bad).doesNotContain("\n");
              });
    }
  }

  @Test
  void orderComparesInstantsWithOffsetLessOnesInUtc() {
    TimeArg noon = TimeArg.parse("--until", "2024-01-04T12:00:00");
    assertThat(TimeArg.parse("--from", "2024-01-04T13:00:00+02:00").isBefore(noon)).isTrue();
    assertThat(TimeArg.parse("--from", "2024-01-04T12:00:00Z").isBefore(noon)).isFalse();
    assertThat(TimeArg.parse("--from", "5").isBefore(TimeArg.parse("--until", "10"))).isTrue();
    assertThat(TimeArg.parse("--from", "5").isBefore(noon)).isNull();
  }
}
