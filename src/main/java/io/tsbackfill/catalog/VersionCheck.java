package io.tsbackfill.catalog;

import io.tsbackfill.db.Side;
import io.tsbackfill.error.BackfillException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TimescaleDB versions the tool serves. Older than {@link TimescaleInfo#OLDEST_SUPPORTED}:
 * refused, because the catalog layer does not know their shape. Newer than {@link
 * TimescaleInfo#NEWEST_TESTED}: served, since the layout is read from the catalog itself, but with
 * a warning, once per version, because nobody has run the migration runbook against it yet. Source
 * and target must run the identical version: their catalogs must agree for chunks to pair.
 */
public final class VersionCheck {
  private static final Logger LOG = LoggerFactory.getLogger(VersionCheck.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private VersionCheck() {}

  public static void requireSupported(TimescaleInfo info, Side side) {
    if (compare(info.version(), TimescaleInfo.OLDEST_SUPPORTED) < 0) {
      throw BackfillException.badState(
          "the "
              + side.label()
              + " database runs TimescaleDB "
              + info.version()
              + ", older than the oldest this tool supports ("
              + TimescaleInfo.OLDEST_SUPPORTED
              + "); upgrade it (ALTER EXTENSION timescaledb UPDATE) on both sides first");
    }
    if (compare(info.version(), TimescaleInfo.NEWEST_TESTED) > 0 && WARNED.add(info.version())) {
      LOG.warn(
          "TimescaleDB {} is newer than the versions this tool was tested with ({} to {}):"
              + " check the results with 'verify'",
          info.version(),
          TimescaleInfo.OLDEST_SUPPORTED,
          TimescaleInfo.NEWEST_TESTED);
    }
  }

  public static void requireEqual(TimescaleInfo source, TimescaleInfo target) {
    if (!source.version().equals(target.version())) {
      throw BackfillException.badState(
          "TimescaleDB versions differ: source "
              + source.version()
              + ", target "
              + target.version()
              + "; upgrade one side (ALTER EXTENSION timescaledb UPDATE) so both match");
    }
  }

  /**
   * Compares release numbers by major and minor only: a patch release keeps its minor's catalog,
   * and "2.23.0-dev" is 2.23.
   */
  static int compare(String version, String other) {
    int[] a = majorMinor(version);
    int[] b = majorMinor(other);
    return a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
  }

  private static int[] majorMinor(String version) {
    String[] p = version.split("[.-]");
    return new int[] {number(p, 0), number(p, 1)};
  }

  private static int number(String[] parts, int i) {
    if (i >= parts.length) {
      return 0;
    }
    String digits = parts[i].replaceAll("\\D.*", "");
    return digits.isEmpty() ? 0 : Integer.parseInt(digits);
  }
}
