package io.tsbackfill.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void bytesUseSiPrefixes() {
    assertThat(Units.bytes(999)).isEqualTo("999 B");
    assertThat(Units.bytes(3_100_000)).isEqualTo("3.1 MB");
    assertThat(Units.bytes(1_000_000_000_000L)).isEqualTo("1.0 TB");
  }

  @Test
  void durationsAreCompact() {
    assertThat(Units.duration(Duration.ofNanos(1500))).isEqualTo("1µs");
    assertThat(Units.duration(Duration.ofMillis(12))).isEqualTo("12ms");
    assertThat(Units.duration(Duration.ofMillis(2500))).isEqualTo("2.5s");
    assertThat(Units.duration(Duration.ofSeconds(125))).isEqualTo("2:05");
    assertThat(Units.duration(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
  }

  @Test
  void rateIsEmptyWithoutBytes() {
    assertThat(Units.rate(0, Duration.ofSeconds(1))).isEmpty();
    assertThat(Units.rate(2_000_000, Duration.ofSeconds(2))).isEqualTo("1.0 MB/s");
  }
}
