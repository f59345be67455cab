package io.tsbackfill.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The migration runbook's schema restore: {@code pg_dump} of the source without chunk data,
 * restored on the target between {@code timescaledb_pre_restore()} and {@code
 * timescaledb_post_restore()}. Leaves every source chunk on the target, empty, with identical
 * slices.
 */
public final class SchemaRestore {
  private SchemaRestore() {}

  public static void restore(TestDb source, TestDb target) {
    try {
      Path dump = Files.createTempFile("backfill-schema", ".sql");
      try {
        run(
            List.of(
                "pg_dump",
                "--no-owner",
                "--no-privileges",
                "--no-tablespaces",
                "--quote-all-identifiers",
                "--exclude-table-data=_timescaledb_internal.*",
                "--file=" + dump,
                conninfo(source)));
        target.exec("SELECT timescaledb_pre_restore()");
        run(
            List.of(
                "psql",
                "--quiet",
                "--no-psqlrc",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                "--file=" + dump,
                conninfo(target)));
        target.exec("SELECT timescaledb_post_restore()");
      } finally {
        Files.deleteIfExists(dump);
      }
    } catch (IOException e) {
      throw new IllegalStateException("schema restore failed", e);
    }
  }

  private static String conninfo(TestDb db) {
    TestServer s = db.server();
    return "host=" + s.host() + " port=" + s.port() + " user=" + s.user() + " dbname=" + db.name()
        + (s.password() == null ? "" : " password=" + s.password());
  }

  private static void run(List<String> command) throws IOException {
    List<String> cmd = new ArrayList<>(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd.get(0) + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(cmd.get(0) + " failed (" + p.exitValue() + "): " + output);
    }
  }
}
