package io.tsbackfill.copy;

import io.tsbackfill.db.BackfillException;
import java.util.Locale;
import java.util.Optional;

/** The copy's on/off settings ({@code BACKFILL_ATTACH}, {@code BACKFILL_CREATE_CHUNKS}). */
final class Switches {
  private Switches() {}

  /**
   * Reads an on/off switch from system property {@code property}, else environment variable
   * {@code env}: on (the default) or off.
   */
  static boolean on(String env, String property) {
    return read(env, property, false).orElse(true);
  }

  /**
   * Reads a switch that may also be left to the tool, like {@link #on}: true for on, false for
   * off, empty for auto (the default: unset, blank or "auto").
   */
  static Optional<Boolean> onOffOrAuto(String env, String property) {
    return read(env, property, true);
  }

  private static Optional<Boolean> read(String env, String property, boolean auto) {
    String setting = System.getProperty(property, System.getenv(env));
    if (setting == null || setting.isBlank()) {
      return Optional.empty();
    }
    String value = setting.strip().toLowerCase(Locale.ROOT);
    if (auto && value.equals("auto")) {
      return Optional.empty();
    }
    return switch (value) {
      case "on", "true", "1", "yes" -> Optional.of(true);
      case "off", "false", "0", "no" -> Optional.of(false);
      default -> throw BackfillException.usage(
          env + " '" + setting + "' is " + (auto ? "not on, off or auto" : "neither on nor off"));
    };
  }
}
