package io.tsbackfill.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads SQL statements kept as files under {@code resources/sql/}, one statement per file, each
 * runnable in psql. {@code {proc}} in a file is replaced by the quoted TimescaleDB function schema.
 */
public final class Sql {
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private Sql() {}

  public static String load(String name) {
    return CACHE.computeIfAbsent(name, Sql::read);
  }

  public static String load(String name, String procSchema) {
    return load(name).replace("{proc}", Ident.quote(procSchema));
  }

  private static String read(String name) {
    try (InputStream in = Sql.class.getResourceAsStream("/sql/" + name + ".sql")) {
      if (in == null) {
        throw new IllegalStateException("missing SQL resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
