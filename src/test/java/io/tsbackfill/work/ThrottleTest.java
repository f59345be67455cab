package io.tsbackfill.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.error.BackfillException;
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

  /**
   * A clock that moves only when the throttle sleeps, so the schedule is checked exactly, without
   * the machine's load in the result.
   */
  private static final class ManualClock implements Throttle.Clock {
    long now = 1_000_000_000L;
    long slept;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(long nanos) {
      now += nanos;
      slept += nanos;
    }
  }

  @Test
  void grantsFollowTheRateAcrossWorkers() {
    ManualClock clock = new ManualClock();
    Throttle t = new Throttle(2_000_000, clock);
    long start = clock.now;
    // Four workers' grants, interleaved on the one shared schedule: 1 MB at 2 MB/s.
    for (int k = 0; k < 50; k++) {
      for (int worker = 0; worker < 4; worker++) {
        t.acquire(5_000);
      }
    }
    // Each 5 kB grant is 2.5 ms of schedule; the last one is granted at 199 x 2.5 ms.
    assertThat(clock.now - start).isEqualTo(497_500_000L);
  }

  @Test
  void idleTimeIsSavedUpToOneSecondOnly() {
    ManualClock clock = new ManualClock();
    Throttle t = new Throttle(1_000_000, clock);
    t.acquire(1);
    clock.now += 10_000_000_000L; // ten seconds between chunks
    long before = clock.slept;
    // Each grant waits for the start of its own slot on the schedule. The saved-up second makes
    // the first second's slot already past, and the second one's now; the third one's is a second
    // away: without the cap on credit, it would be nine seconds in the past.
    t.acquire(1_000_000);
    t.acquire(1_000_000);
    assertThat(clock.slept).isEqualTo(before);
    t.acquire(1_000_000);
    assertThat(clock.slept - before).isEqualTo(1_000_000_000L);
  }

  @Test
  void waitsTooShortForTheTimerAddUpInsteadOfSleeping() {
    ManualClock clock = new ManualClock();
    Throttle t = new Throttle(1_000_000, clock);
    t.acquire(1_000); // 1 ms of schedule
    t.acquire(1_000); // would wait 1 ms: under the timer's 2 ms, so it goes at once
    assertThat(clock.slept).isZero();
    t.acquire(1_000); // 2 ms behind schedule now: still not over the 2 ms threshold
    t.acquire(1_000); // 3 ms behind: sleeps them
    assertThat(clock.slept).isEqualTo(3_000_000L);
  }

  @Test
  void noLimitNeverWaits() {
    ManualClock clock = new ManualClock();
    Throttle t = new Throttle(0, clock);
    t.acquire(Long.MAX_VALUE / 2);
    assertThat(clock.slept).isZero();
  }
}
