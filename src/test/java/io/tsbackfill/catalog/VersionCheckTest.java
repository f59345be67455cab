package io.tsbackfill.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.db.Side;
import io.tsbackfill.error.BackfillException;
import org.junit.jupiter.api.Test;

class VersionCheckTest {
  private static TimescaleInfo version(String v) {
    return new TimescaleInfo(
        v,
        "_timescaledb_functions",
        "timescale",
        150000,
        63,
        true,
        new CatalogLayout(
            "_timescaledb_functions",
            "public",
            false,
            false,
            true,
            true,
            true,
            true,
            true,
            false,
            false));
  }

  @Test
  void comparesMajorAndMinorOnly() {
    assertThat(VersionCheck.compare("2.17.2", "2.17")).isZero();
    assertThat(VersionCheck.compare("2.23.0-dev", "2.23")).isZero();
    assertThat(VersionCheck.compare("2.9.3", "2.17")).isNegative();
    assertThat(VersionCheck.compare("2.30.0", "2.29")).isPositive();
    assertThat(VersionCheck.compare("3.0.0", "2.29")).isPositive();
  }

  @Test
  void olderThanTheOldestSupportedIsRefusedNamingSideAndVersion() {
    assertThatThrownBy(() -> VersionCheck.requireSupported(version("2.16.1"), Side.SOURCE))
        .isInstanceOf(BackfillException.class)
        .hasMessageContaining("2.16.1")
        .hasMessageContaining(TimescaleInfo.OLDEST_SUPPORTED)
        .hasMessageContaining("source");
  }

  @Test
  void supportedAndNewerVersionsRun() {
    for (String v : new String[] {"2.17.0", "2.19.3", "2.29.2", "2.31.0"}) {
      VersionCheck.requireSupported(version(v), Side.TARGET);
    }
  }
}
