package io.tsbackfill.report;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes (SI, 1000-based), rates and compact durations, for every output. */
public final class Units {
  private static final String[] PREFIXES = {"", "k", "M", "G", "T", "P", "E"};

  private Units() {}

  public static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    double v = n;
    int i = 0;
    while (v >= 1000 && i < PREFIXES.length - 1) {
      v /= 1000;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %sB", v, PREFIXES[i]);
  }

  public static String rate(long bytes, Duration d) {
    double seconds = d.toNanos() / 1e9;
    if (bytes == 0 || seconds <= 0) {
      return "";
    }
    return bytes((long) (bytes / seconds)) + "/s";
  }

  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  public static String duration(Duration d) {
    long nanos = d.toNanos();
    if (nanos < 1_000_000) {
      return (nanos / 1000) + "µs";
    }
    if (nanos < 1_000_000_000) {
      return (nanos / 1_000_000) + "ms";
    }
    long seconds = d.toSeconds();
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
    return String.format(
        Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds % 3600) / 60, seconds % 60);
  }
}
