package io.tsbackfill.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Source and target servers whose TimescaleDB has the Timescale License (continuous aggregates,
 * compression, {@code create_chunk}), for the integration tests tagged {@code tsl}. The native
 * test bed is Apache-only, so these come from elsewhere; system property {@code backfill.tsl} (or
 * environment variable {@code BACKFILL_TSL}) picks where:
 *
 * <ul>
 *   <li>{@code pglite} (default): two {@code testsupport/tsl-server} processes (PGlite TimescaleDB
 *       2.23-dev under Node), started once per JVM for all TSL test classes and stopped at JVM exit.
 *       Each has a single database and a single session shared by all its connections, so a
 *       "fresh pair" is both servers reset to a clean slate by {@code tsl/reset.sql}: it drops
 *       every cagg, every non-extension schema and every object in {@code public} the extension
 *       does not own, in about 0.3 s, where a restart takes 3 to 13 s. The extension itself stays
 *       (TimescaleDB cannot be created again in a session that has loaded it), so catalog ids keep
 *       growing from test to test: tests must not depend on chunk names. If a reset leaves anything
 *       behind ({@code tsl/leftovers.sql}) or a server has died, that server is restarted. The tool
 *       must run with {@code --parallelism 1} against these servers ({@link #parallelism()}).
 *   <li>{@code docker}: two Testcontainers containers of {@code timescale/timescaledb-ha} (image
 *       from {@code backfill.tsl.image}), fresh databases per test as on the native test bed. Where
 *       no Docker engine runs, every TSL test is skipped with that reason.
 * </ul>
 */
public final class TslTestBed {
  private static final String DATABASE = "tsl";
  private static TslTestBed instance;

  private final Backend backend;

  private TslTestBed(Backend backend) {
    this.backend = backend;
  }

  /** What a TSL test needs from where the servers run. */
  interface Backend {
    DatabasePair freshPair(String testName);

    int parallelism();

    String describe();
  }

  /** The TSL servers of this JVM, started on first use. */
  public static synchronized TslTestBed get() {
    if (instance == null) {
      String kind = setting("backfill.tsl", "BACKFILL_TSL", "pglite").toLowerCase(Locale.ROOT);
      Backend backend =
          switch (kind) {
            case "pglite" -> new PgliteBackend();
            case "docker" -> TslContainers.start();
            default ->
                throw new IllegalStateException(
                    "backfill.tsl / BACKFILL_TSL must be pglite or docker, not '" + kind + "'");
          };
      instance = new TslTestBed(backend);
    }
    return instance;
  }

  /** A source and a target database with nothing in them but the timescaledb extension. */
  public DatabasePair freshPair(String testName) {
    return backend.freshPair(testName);
  }

  /** The {@code --parallelism} copy may use against these servers. */
  public int parallelism() {
    return backend.parallelism();
  }

  public String describe() {
    return backend.describe();
  }

  static String setting(String property, String env, String fallback) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  /** The two PGlite servers, reset between tests. */
  private static final class PgliteBackend implements Backend {
    private final Path serverDir = serverDir();
    private final Duration startTimeout =
        Duration.ofSeconds(Long.parseLong(setting("backfill.tsl.startSeconds", "BACKFILL_TSL_START_SECONDS", "90")));
    private final TslServerProcess[] processes = new TslServerProcess[2];
    private final TestServer[] servers = new TestServer[2];
    private static final String[] NAMES = {"source", "target"};

    PgliteBackend() {
      long t0 = System.nanoTime();
      TslServerProcess.Starting[] starting = new TslServerProcess.Starting[2];
      for (int i = 0; i < 2; i++) {
        starting[i] = TslServerProcess.start(NAMES[i], serverDir);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "tsl-servers-stop"));
      for (int i = 0; i < 2; i++) {
        ready(i, starting[i].awaitReady(startTimeout));
      }
      System.err.printf(
          "[tsl] %s ready in %.1f s%n", describe(), (System.nanoTime() - t0) / 1e9);
    }

    private void ready(int i, TslServerProcess p) {
      processes[i] = p;
      servers[i] = new TestServer("TSL " + NAMES[i], "127.0.0.1", p.port(), "postgres", null);
      run(i, "CREATE EXTENSION IF NOT EXISTS timescaledb");
    }

    private synchronized void stopAll() {
      for (TslServerProcess p : processes) {
        if (p != null) {
          p.stop();
        }
      }
    }

    @Override
    public synchronized DatabasePair freshPair(String testName) {
      for (int i = 0; i < 2; i++) {
        String problem = reset(i);
        if (problem != null) {
          System.err.println(
              "[tsl] restarting the " + NAMES[i] + " TSL test server: " + problem);
          processes[i].stop();
          ready(i, TslServerProcess.start(NAMES[i], serverDir).awaitReady(startTimeout));
          String again = reset(i);
          if (again != null) {
            throw new IllegalStateException(
                "the " + NAMES[i] + " TSL test server is not clean after a restart: " + again);
          }
        }
      }
      return new DatabasePair(
          TestDb.existing(servers[0], DATABASE), TestDb.existing(servers[1], DATABASE));
    }

    /** Resets server i; returns what is wrong with it afterwards, or null when it is clean. */
    private String reset(int i) {
      if (!processes[i].isAlive()) {
        return "it has exited; its stderr:\n" + processes[i].stderrTail();
      }
      try (Connection c = servers[i].connect(DATABASE);
          Statement st = c.createStatement()) {
        st.execute(resource("tsl/reset.sql"));
        List<String> left = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(resource("tsl/leftovers.sql"))) {
          while (rs.next()) {
            left.add(rs.getString(1));
          }
        }
        return left.isEmpty() ? null : "the reset left " + String.join(", ", left);
      } catch (SQLException e) {
        return "the reset failed: " + e.getMessage();
      }
    }

    private void run(int i, String sql) {
      try (Connection c = servers[i].connect(DATABASE);
          Statement st = c.createStatement()) {
        st.execute(sql);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "on the "
                + NAMES[i]
                + " TSL test server: "
                + e.getMessage()
                + "\n  in: "
                + sql
                + "\n  its stderr:\n"
                + processes[i].stderrTail(),
            e);
      }
    }

    @Override
    public int parallelism() {
      return 1; // one shared session per server: two workers would wait on each other
    }

    @Override
    public String describe() {
      return "PGlite TSL servers on ports " + processes[0].port() + " and " + processes[1].port();
    }

    /** testsupport/tsl-server, from backfill.tsl.serverDir or found above the working directory. */
    private static Path serverDir() {
      String configured = System.getProperty("backfill.tsl.serverDir");
      if (configured != null && !configured.isBlank()) {
        return Path.of(configured).toAbsolutePath();
      }
      for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
        Path candidate = d.resolve("testsupport/tsl-server");
        if (Files.isRegularFile(candidate.resolve("server.mjs"))) {
          return candidate;
        }
      }
      throw new IllegalStateException(
          "testsupport/tsl-server not found above " + Path.of("").toAbsolutePath()
              + "; set -Dbackfill.tsl.serverDir");
    }
  }

  static String resource(String name) {
    try (InputStream in = TslTestBed.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
