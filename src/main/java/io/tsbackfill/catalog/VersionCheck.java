package io.tsbackfill.catalog;

import io.tsbackfill.db.BackfillException;

/** Source and target must run the identical TimescaleDB version: catalogs differ between them. */
public final class VersionCheck {
  private VersionCheck() {}

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
}
