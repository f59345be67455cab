package io.tsbackfill.copy;

import io.tsbackfill.db.BackfillException;
import java.util.Locale;

/** The copy's on/off settings ({@code BACKFILL_ATTACH}, {@code BACKFILL_CREATE_CHUNKS}). */
final class Switches {
  private Switches() {}

  /**
   * Reads an on/off switch from system property {@code property}, else environment variable
   * {@code env}: on (the default) or off.
   */
  static boolean on(String env, String property) {
    String setting = System.getProperty(property, System.getenv(env));
    if (setting == null || setting.isBlank()) {
      return true;
    }
    return switch (setting.strip().toLowerCase(Locale.ROOT)) {
      case "on", "true", "1", "yes" -> true;
      case "off", "false", "0", "no" -> false;
      default -> throw BackfillException.usage(env + " '" + setting + "' is neither on nor off");
    };
  }
}
