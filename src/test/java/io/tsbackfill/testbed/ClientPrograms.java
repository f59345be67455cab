package io.tsbackfill.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's client programs ({@code pg_dump}, {@code psql}) as the test bed runs them against
 * one server: the machine's own for the local clusters, the ones inside the container for a
 * container (a local {@code pg_dump} older than the server refuses to dump it).
 */
public interface ClientPrograms {

  /** {@code pg_dump OPTIONS} of one database: the SQL script. */
  String dump(TestServer server, String database, List<String> options);

  /** Runs a SQL script with {@code psql} in one transaction, stopping at the first error. */
  void restore(TestServer server, String database, String script);

  /** The {@code psql} options {@link #restore} uses, before the script file. */
  static List<String> restoreOptions() {
    return List.of("--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--single-transaction");
  }

  /** A libpq key=value connection string (values quoted for libpq). */
  static String conninfo(String host, int port, String user, String password, String database) {
    return "host="
        + quote(host)
        + " port="
        + port
        + " user="
        + quote(user)
        + " dbname="
        + quote(database)
        + (password == null ? "" : " password=" + quote(password));
  }

  private static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The programs on this machine's PATH. */
  ClientPrograms LOCAL = inDirectory(null);

  /**
   * The programs in {@code bin} (null: the PATH): a native test bed's own tree, whose {@code
   * pg_dump} is as new as its server.
   */
  static ClientPrograms inDirectory(Path bin) {
    return new ClientPrograms() {
      @Override
      public String dump(TestServer server, String database, List<String> options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program("pg_dump"));
        cmd.addAll(options);
        cmd.add(local(server, database));
        return run(cmd);
      }

      @Override
      public void restore(TestServer server, String database, String script) {
        try {
          Path file = Files.createTempFile("backfill-restore", ".sql");
          try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>();
            cmd.add(program("psql"));
            cmd.addAll(restoreOptions());
            cmd.add("--file=" + file);
            cmd.add(local(server, database));
            run(cmd);
          } finally {
            Files.deleteIfExists(file);
          }
        } catch (IOException e) {
          throw new IllegalStateException("psql on the " + server.name() + " server failed", e);
        }
      }

      private String program(String name) {
        return bin == null ? name : bin.resolve(name).toString();
      }

      private String local(TestServer s, String database) {
        return conninfo(s.host(), s.port(), s.user(), s.password(), database);
      }

      private String run(List<String> cmd) {
        Path errors = null;
        try {
          errors = Files.createTempFile("backfill-" + Path.of(cmd.get(0)).getFileName(), ".err");
          Process p = new ProcessBuilder(cmd).redirectError(errors.toFile()).start();
          p.getOutputStream().close();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd.get(0) + " timed out");
          }
          if (p.exitValue() != 0) {
            throw new IllegalStateException(
                cmd.get(0)
                    + " failed (exit "
                    + p.exitValue()
                    + "): "
                    + Files.readString(errors).strip());
          }
          return out;
        } catch (IOException e) {
          throw new IllegalStateException(cmd.get(0) + " could not be run", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(cmd.get(0) + " interrupted", e);
        } finally {
          if (errors != null) {
            errors.toFile().delete();
          }
        }
      }
    };
  }
}
