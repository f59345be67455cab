package io.tsbackfill.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compares two summaries of the same shape: counts, min, max and exact sums must be equal as text
 * (NULL equal to NULL); float sums may differ by the rounding error summation in another order can
 * cause, which grows with the row count: {@code rows * 2^-52 * sum(abs(x))}.
 */
final class Comparison {
  private static final int MAX_VALUE_CHARS = 80;
  private static final double FLOAT_EPSILON = Math.ulp(1.0);

  private Comparison() {}

  /** One line per differing aggregate: which aggregate of which column, and both values. */
  static List<String> differences(Summary summary, List<String> source, List<String> target) {
    List<Summary.Aggregate> aggregates = summary.aggregates();
    long rows = Math.max(parseLong(source.get(0)), parseLong(target.get(0)));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < aggregates.size(); i++) {
      Summary.Aggregate a = aggregates.get(i);
      String s = source.get(i);
      String t = target.get(i);
      switch (a.kind()) {
        case "fabs" -> {
          // Only the scale of the float tolerance; a change shows in the float sum itself.
        }
        case "fsum" -> {
          String scaleS = source.get(i + 1);
          String scaleT = target.get(i + 1);
          String why = floatDifference(s, t, rows, scaleS, scaleT);
          if (why != null) {
            out.add(line("sum(" + a.label().substring("fsum(".length()), s, t) + why);
          }
        }
        default -> {
          if (!Objects.equals(s, t)) {
            out.add(line(a.label(), s, t));
          }
        }
      }
    }
    return out;
  }

  /** Null when the float sums agree within the tolerance, else why not. */
  static String floatDifference(String s, String t, long rows, String scaleS, String scaleT) {
    if (Objects.equals(s, t)) {
      return null;
    }
    if (s == null || t == null) {
      return "";
    }
    double a = Double.parseDouble(s);
    double b = Double.parseDouble(t);
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      return "";
    }
    double scale =
        Math.max(
            scaleS == null ? 0 : Math.abs(Double.parseDouble(scaleS)),
            scaleT == null ? 0 : Math.abs(Double.parseDouble(scaleT)));
    double tolerance = Math.max(1, rows) * FLOAT_EPSILON * scale;
    double diff = Math.abs(a - b);
    if (diff <= tolerance) {
      return null;
    }
    return String.format(
        java.util.Locale.ROOT,
        " (differ by %.3g, tolerance %.3g for %d rows)",
        diff,
        tolerance,
        rows);
  }

  private static String line(String label, String s, String t) {
    return label + ": source " + show(s) + ", target " + show(t);
  }

  private static String show(String v) {
    if (v == null) {
      return "NULL";
    }
    String oneLine = v.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    return oneLine.length() > MAX_VALUE_CHARS
        ? oneLine.substring(0, MAX_VALUE_CHARS) + "..."
        : oneLine;
  }

  private static long parseLong(String v) {
    return v == null ? 0 : Long.parseLong(v);
  }
}
