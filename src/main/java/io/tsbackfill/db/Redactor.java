package io.tsbackfill.db;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * The one place that keeps passwords out of output. Every password the tool learns (from a URI, a
 * key=value string, PGPASSWORD or .pgpass) is registered here, and every message that reaches a
 * console, a log file or an error line passes through {@link #redact(String)}, which also masks
 * passwords in anything shaped like a connection string.
 */
public final class Redactor {
  static final String MASK = "********";
  private static final Set<String> SECRETS = new CopyOnWriteArraySet<>();
  private static final Pattern URI_PASSWORD =
      Pattern.compile("(?i)(postgres(?:ql)?://[^:/@\\s]*):[^@\\s]*@");
  private static final Pattern KV_PASSWORD =
      Pattern.compile("(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^\\s&;]+)");

  private Redactor() {}

  /** Remembers a secret so that it is masked wherever it appears later. */
  public static void register(String secret) {
    if (secret != null && !secret.isEmpty()) {
      SECRETS.add(secret);
    }
  }

  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = URI_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
    out = KV_PASSWORD.matcher(out).replaceAll("$1" + MASK);
    for (String s : SECRETS) {
      if (out.contains(s)) {
        out = out.replace(s, MASK);
      }
    }
    return out;
  }
}
