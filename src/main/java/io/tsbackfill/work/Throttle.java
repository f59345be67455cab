package io.tsbackfill.work;

import io.tsbackfill.error.BackfillException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte rate shared by all workers ({@code --max-rate}), to spare a busy production source: each
 * worker asks for the bytes it just read and sleeps until the shared schedule allows them. A
 * virtual clock with at most one second of credit (time spent writing to the target, or between
 * chunks) keeps the long-run rate at the limit.
 */
public final class Throttle {
  /** No limit. */
  public static final Throttle NONE = new Throttle(0);

  private static final Pattern RATE =
      Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?i?b?)?\\s*(?:/s)?\\s*");

  /** Sleeps shorter than this are not worth the timer: they add up until one is. */
  private static final long MIN_SLEEP_NANOS = 2_000_000;

  /** How far behind schedule a worker may be and catch up without waiting. */
  private static final long CREDIT_NANOS = 1_000_000_000;

  /** Time as the throttle sees it: the JVM's monotonic clock and sleep, or a test's own. */
  interface Clock {
    long nanoTime();

    void sleep(long nanos) throws InterruptedException;
  }

  private static final Clock SYSTEM =
      new Clock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
          Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
      };

  private final double bytesPerSecond;
  private final Clock clock;
  private long nextFreeNanos;
  private boolean started;

  public Throttle(double bytesPerSecond) {
    this(bytesPerSecond, SYSTEM);
  }

  Throttle(double bytesPerSecond, Clock clock) {
    this.bytesPerSecond = bytesPerSecond;
    this.clock = clock;
  }

  /** Parses "50MB", "1.5 GiB/s", "800kB", "1000000"; null or empty means no limit. */
  public static Throttle parse(String text) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    Matcher m = RATE.matcher(text);
    if (!m.matches()) {
      throw BackfillException.usage(
          "--max-rate must be bytes per second like 50MB, 1.5GiB or 800kB, not '" + text + "'");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    boolean binary = unit.contains("i");
    double base = binary ? 1024 : 1000;
    int power = unit.isEmpty() || unit.equals("b") ? 0 : "kmgt".indexOf(unit.charAt(0)) + 1;
    double rate = n * Math.pow(base, power);
    if (rate < 1) {
      throw BackfillException.usage(
          "--max-rate must be at least 1 byte per second, not '" + text + "'");
    }
    return new Throttle(rate);
  }

  public boolean limited() {
    return bytesPerSecond > 0;
  }

  public double bytesPerSecond() {
    return bytesPerSecond;
  }

  /** Waits until {@code bytes} more fit the rate (interruptible by a stop: returns early). */
  public void acquire(long bytes) {
    if (bytesPerSecond <= 0 || bytes <= 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = clock.nanoTime();
      if (!started) {
        started = true;
        nextFreeNanos = now;
      }
      // Oversleeping (timer slack) is made up later, but idle time is not saved up beyond this.
      if (nextFreeNanos < now - CREDIT_NANOS) {
        nextFreeNanos = now - CREDIT_NANOS;
      }
      wait = nextFreeNanos - now;
      nextFreeNanos += (long) (bytes * 1e9 / bytesPerSecond);
    }
    if (wait > MIN_SLEEP_NANOS) {
      try {
        clock.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
