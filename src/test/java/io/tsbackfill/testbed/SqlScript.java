package io.tsbackfill.testbed;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a SQL fixture one statement at a time. Continuous aggregates need this: {@code CREATE
 * MATERIALIZED VIEW ... WITH (timescaledb.continuous)} and {@code CALL
 * refresh_continuous_aggregate} refuse to run inside a transaction block, which a multi-statement
 * query string is. Splits on semicolons outside quotes, dollar quotes and comments.
 */
public final class SqlScript {
  private SqlScript() {}

  /** Runs {@code src/test/resources/fixtures/NAME.sql} statement by statement. */
  public static void run(TestDb db, String fixture) {
    for (String statement : split(TslTestBed.resource("fixtures/" + fixture + ".sql"))) {
      db.exec(statement);
    }
  }

  static List<String> split(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int eol = script.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
        current.append('\n');
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int end = script.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        current.append(' ');
      } else if (c == '\'' || c == '"') {
        int end = i + 1;
        while (end < n) {
          if (script.charAt(end) == c) {
            if (end + 1 < n && script.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        current.append(script, i, Math.min(n, end + 1));
        i = end + 1;
      } else if (c == '$' && dollarTag(script, i) != null) {
        String tag = dollarTag(script, i);
        int end = script.indexOf(tag, i + tag.length());
        end = end < 0 ? n : end + tag.length();
        current.append(script, i, end);
        i = end;
      } else if (c == ';') {
        add(out, current);
        current.setLength(0);
        i++;
      } else {
        current.append(c);
        i++;
      }
    }
    add(out, current);
    return out;
  }

  private static void add(List<String> out, StringBuilder statement) {
    String s = statement.toString().strip();
    if (!s.isEmpty()) {
      out.add(s);
    }
  }

  /** The dollar-quote tag ($$ or $name$) starting at i, or null. */
  private static String dollarTag(String s, int i) {
    int j = i + 1;
    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    if (j < s.length()
        && s.charAt(j) == '$'
        && (j == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
      return s.substring(i, j + 1);
    }
    return null;
  }
}
