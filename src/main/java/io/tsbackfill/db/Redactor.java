package io.tsbackfill.db;

import java.util.regex.Pattern;

/**
 * The one place that keeps passwords out of output. Every message that reaches a console, a log
 * file or an error line passes through {@link #redact(String)}, which masks the password fields of
 * what it recognises by their structure, wherever they stand in the text: the userinfo of URIs
 * ({@code postgres://u:PW@h}), {@code password=} and {@code sslpassword=} in key=value strings and
 * JDBC URLs (quoted values too, also unterminated), {@code "password": "..."} in JSON, and {@code
 * PASSWORD '...'} in SQL. It never looks for a password's text itself: a short or common password
 * ({@code e}, {@code postgres}) would mask ordinary words, and messages would become unreadable. So
 * that nothing is left that it cannot recognise, the parsers never echo a string that holds a
 * password when they refuse it (see {@link ConnectionSpec}).
 */
public final class Redactor {
  static final String MASK = "********";

  /** scheme://user:PASSWORD@ — to the last @ of the word, for passwords with an unencoded @. */
  private static final Pattern URI_PASSWORD =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^:/@\\s]*):[^\\s]*@");

  /** password=VALUE, quoted ('...' or "...", backslash escapes, unterminated: to the end). */
  private static final Pattern KV_PASSWORD =
      Pattern.compile(
          "(?i)(\\b(?:ssl|pg)?password\\s*=\\s*)"
              + "('(?:[^'\\\\]|\\\\.)*(?:'|$)|\"(?:[^\"\\\\]|\\\\.)*(?:\"|$)|[^\\s&;]+)");

  /** "password": "VALUE" in JSON. */
  private static final Pattern JSON_PASSWORD =
      Pattern.compile("(?i)(\"(?:ssl)?password\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"");

  /** PASSWORD 'VALUE' in SQL (CREATE/ALTER ROLE), also E'...' and dollar quotes. */
  private static final Pattern SQL_PASSWORD =
      Pattern.compile("(?i)(\\bpassword\\s+)(E?'(?:[^']|'')*(?:'|$)|\\$([a-z_]*)\\$.*?\\$\\3\\$)");

  private Redactor() {}

  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = URI_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
    out = KV_PASSWORD.matcher(out).replaceAll("$1" + MASK);
    out = JSON_PASSWORD.matcher(out).replaceAll("$1\"" + MASK + "\"");
    return SQL_PASSWORD.matcher(out).replaceAll("$1'" + MASK + "'");
  }
}
