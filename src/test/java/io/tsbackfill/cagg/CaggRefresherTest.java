package io.tsbackfill.cagg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A target cagg that has materialized nothing is refreshed from NULL, per its time type. */
class CaggRefresherTest {
  @Test
  void minimumWatermarksMeanTheBeginning() {
    assertThat(CaggRefresher.isBeginningOfTime(-210866803200000000L, "timestamp with time zone"))
        .isTrue();
    assertThat(CaggRefresher.isBeginningOfTime(-210866803200000000L, "date")).isTrue();
    assertThat(CaggRefresher.isBeginningOfTime(1694044800000000L, "timestamp with time zone"))
        .isFalse();
    assertThat(CaggRefresher.isBeginningOfTime(Integer.MIN_VALUE, "integer")).isTrue();
    assertThat(CaggRefresher.isBeginningOfTime(Integer.MIN_VALUE, "bigint")).isFalse();
    assertThat(CaggRefresher.isBeginningOfTime(Long.MIN_VALUE, "bigint")).isTrue();
    assertThat(CaggRefresher.isBeginningOfTime(Short.MIN_VALUE, "smallint")).isTrue();
    assertThat(CaggRefresher.isBeginningOfTime(10, "smallint")).isFalse();
  }
}
