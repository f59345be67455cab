package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocksTest {
  @Test
  void timeoutSettingsReadLikePostgresql() {
    assertThat(Locks.configuredTimeout(null)).isEqualTo(Locks.DEFAULT_TIMEOUT);
    assertThat(Locks.configuredTimeout(" ")).isEqualTo(Locks.DEFAULT_TIMEOUT);
    assertThat(Locks.configuredTimeout("1500")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Locks.configuredTimeout("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Locks.configuredTimeout("10 s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Locks.configuredTimeout("2MIN")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Locks.configuredTimeout("0")).isZero();
  }

  @Test
  void aBadTimeoutSettingIsAUsageError() {
    assertThatThrownBy(() -> Locks.configuredTimeout("soon"))
        .isInstanceOf(BackfillException.class)
        .hasMessage("BACKFILL_LOCK_TIMEOUT 'soon' is not a duration (e.g. 3000, 500ms, 10s, 2min;"
            + " 0 = off)")
        .satisfies(e -> assertThat(((BackfillException) e).exitCode()).isEqualTo(2));
    assertThatThrownBy(() -> Locks.configuredTimeout("-1s")).isInstanceOf(BackfillException.class);
  }
}
