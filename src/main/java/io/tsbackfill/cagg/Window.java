package io.tsbackfill.cagg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A half-open range [start, end) of internal time values (microseconds, or integers). */
record Window(long start, long end) {

  boolean isEmpty() {
    return start >= end;
  }

  /**
   * The inclusive range [lowest, greatest] as a window; {@code Long.MAX_VALUE} (TimescaleDB's "no
   * end") stays the end.
   */
  static Window ofInclusive(long lowest, long greatest) {
    return new Window(lowest, greatest == Long.MAX_VALUE ? Long.MAX_VALUE : greatest + 1);
  }

  Window intersect(long from, long to) {
    return new Window(Math.max(start, from), Math.min(end, to));
  }

  /** Overlapping and adjacent windows joined, empty ones dropped, by start. */
  static List<Window> merge(List<Window> windows) {
    List<Window> sorted =
        windows.stream()
            .filter(w -> !w.isEmpty())
            .sorted(Comparator.comparingLong(Window::start))
            .toList();
    List<Window> out = new ArrayList<>();
    for (Window w : sorted) {
      Window last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && w.start() <= last.end()) {
        out.set(out.size() - 1, new Window(last.start(), Math.max(last.end(), w.end())));
      } else {
        out.add(w);
      }
    }
    return out;
  }

  /** What of {@code windows} lies outside {@code cut}. */
  static List<Window> subtract(List<Window> windows, Window cut) {
    if (cut.isEmpty()) {
      return windows;
    }
    List<Window> out = new ArrayList<>();
    for (Window w : windows) {
      Window before = new Window(w.start(), Math.min(w.end(), cut.start()));
      Window after = new Window(Math.max(w.start(), cut.end()), w.end());
      if (!before.isEmpty()) {
        out.add(before);
      }
      if (!after.isEmpty()) {
        out.add(after);
      }
    }
    return out;
  }
}
