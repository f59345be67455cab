package io.tsbackfill.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimeValuesTest {
  private static final long JAN_4_2024 = 1_704_326_400_000_000L;

  @Test
  void eachTimeTypeInItsOwnForm() {
    assertThat(TimeValues.render("timestamp with time zone", JAN_4_2024))
        .isEqualTo("2024-01-04T00:00:00Z");
    assertThat(TimeValues.render("timestamp with time zone", JAN_4_2024 + 43_200_000_001L))
        .isEqualTo("2024-01-04T12:00:00.000001Z");
    assertThat(TimeValues.render("timestamp without time zone", JAN_4_2024))
        .isEqualTo("2024-01-04T00:00:00");
    assertThat(TimeValues.render("date", JAN_4_2024)).isEqualTo("2024-01-04");
    assertThat(TimeValues.render("bigint", -42)).isEqualTo("-42");
    assertThat(TimeValues.render("timestamp with time zone", -1))
        .isEqualTo("1969-12-31T23:59:59.999999Z");
  }

  @Test
  void openEndsHaveNoValue() {
    assertThat(TimeValues.render("bigint", Long.MIN_VALUE)).isNull();
    assertThat(TimeValues.range("date", Long.MIN_VALUE, JAN_4_2024).text())
        .isEqualTo("[-infinity, 2024-01-04)");
    assertThat(TimeValues.range("integer", 0, Long.MAX_VALUE).text()).isEqualTo("[0, infinity)");
  }
}
