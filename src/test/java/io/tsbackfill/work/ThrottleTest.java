package io.tsbackfill.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.db.BackfillException;
import org.junit.jupiter.api.Test;

class ThrottleTest {
  @Test
  void ratesParseWithDecimalAndBinaryUnits() {
    assertThat(Throttle.parse("50MB").bytesPerSecond()).isEqualTo(50e6);
    assertThat(Throttle.parse("1.5 GiB/s").bytesPerSecond()).isEqualTo(1.5 * 1024 * 1024 * 1024);
    assertThat(Throttle.parse("800kB").bytesPerSecond()).isEqualTo(800e3);
    assertThat(Throttle.parse("1000000").bytesPerSecond()).isEqualTo(1e6);
    assertThat(Throttle.parse("2mb").bytesPerSecond()).isEqualTo(2e6);
    assertThat(Throttle.parse(null).limited()).isFalse();
  }

  @Test
  void nonsenseIsAUsageError() {
    for (String bad : new String[] {"fast", "-5MB", "5 parsecs", "0"}) {
      assertThatThrownBy(() -> Throttle.parse(bad))
          .isInstanceOf(BackfillException.class)
          .hasMessageContaining("--max-rate");
    }
  }

  @Test
  void theLongRunRateHoldsAcrossThreads() throws Exception {
    Throttle t = new Throttle(2_000_000);
    long start = System.nanoTime();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] =
          new Thread(
              () -> {
                for (int k = 0; k < 50; k++) {
                  t.acquire(5_000);
                }
              });
      threads[i].start();
    }
    for (Thread th : threads) {
      th.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // 1 MB at 2 MB/s: half a second, less the last grant's wait.
    assertThat(seconds).isBetween(0.45, 0.65);
  }
}
