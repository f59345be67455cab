package io.tsbackfill.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Looks a password up in libpq's password file ({@code PGPASSFILE} or {@code ~/.pgpass}). */
final class PgPass {
  private PgPass() {}

  static Optional<String> lookup(
      Map<String, String> env, Path home, String host, int port, String db, String user) {
    Path file =
        env.containsKey("PGPASSFILE") ? Path.of(env.get("PGPASSFILE")) : home.resolve(".pgpass");
    if (!Files.isReadable(file)) {
      return Optional.empty();
    }
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        List<String> f = fields(line);
        if (f.size() != 5) {
          continue;
        }
        if (matches(f.get(0), host)
            && matches(f.get(1), Integer.toString(port))
            && matches(f.get(2), db)
            && matches(f.get(3), user)) {
          return Optional.of(f.get(4));
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean matches(String pattern, String value) {
    return pattern.equals("*") || pattern.equals(value);
  }

  /** Splits on unescaped colons; {@code \:} and {@code \\} are escapes, as in libpq. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
      } else if (c == ':' && out.size() < 4) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
