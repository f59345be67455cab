package io.tsbackfill.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A PostgreSQL + TimescaleDB server of the test's own, for faults the shared test bed must never
 * see (restarts, crashes) and for settings it does not have (TLS). Lives in a temporary folder on a
 * free loopback port and is torn down by {@link #close()} (or at JVM exit).
 *
 * <p>The cluster is copied from one {@code initdb} made per JVM, which is much faster than an
 * {@code initdb} per server. As root the server runs as the {@code postgres} user (PostgreSQL
 * refuses to run as root). Settings follow scripts/testbed/servers.sh.
 */
public final class PrivateServer implements AutoCloseable {
  private static final String TOOL_USER = "postgres";
  private static Path template;

  private final String name;
  private final Path dir;
  private final Path data;
  private final int port;

  private PrivateServer(String name, Path dir, int port) {
    this.name = name;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
  }

  /**
   * Starts a server; {@code conf} lines are added to postgresql.conf, {@code hba} replaces the TCP
   * lines of pg_hba.conf (default: postgres trusted, everyone else by SCRAM password).
   */
  public static PrivateServer start(String name, List<String> conf, List<String> hba) {
    return start(name, dir -> conf, hba);
  }

  /**
   * As {@link #start(String, List, List)}, with settings made from the server's folder, where files
   * the settings name (certificates) can be put before the server starts.
   */
  public static PrivateServer start(
      String name, Function<Path, List<String>> conf, List<String> hba) {
    try {
      Path dir = Files.createTempDirectory("backfill-pg-" + name + "-");
      PrivateServer s = new PrivateServer(name, dir, freePort());
      run(List.of("cp", "-a", template().toString(), s.data.toString()), false);
      List<String> lines =
          new ArrayList<>(
              List.of(
                  "port = " + s.port,
                  "listen_addresses = '127.0.0.1'",
                  "unix_socket_directories = '" + dir + "'",
                  "shared_preload_libraries = 'timescaledb'",
                  "timescaledb.telemetry_level = off",
                  "timescaledb.max_background_workers = 4",
                  "max_worker_processes = 12",
                  "max_connections = 60",
                  "shared_buffers = 32MB",
                  // No fsync (throw-away data), but synchronous commits: a crash (stop -m
                  // immediate)
                  // keeps every commit the tool was told about, as on a production server.
                  "fsync = off",
                  "full_page_writes = off",
                  "password_encryption = 'scram-sha-256'"));
      lines.addAll(conf.apply(dir));
      Files.writeString(
          s.data.resolve("postgresql.conf"),
          String.join("\n", lines) + "\n",
          StandardOpenOption.APPEND);
      List<String> hbaLines = new ArrayList<>(List.of("local all all trust"));
      hbaLines.addAll(
          hba.isEmpty()
              ? List.of(
                  "host all postgres 127.0.0.1/32 trust", "host all all 127.0.0.1/32 scram-sha-256")
              : hba);
      Files.writeString(s.data.resolve("pg_hba.conf"), String.join("\n", hbaLines) + "\n");
      s.own(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(s::close));
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("starting the private server " + name, e);
    }
  }

  /** The folder the server lives in (its files may be put here, e.g. certificates). */
  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  /** The superuser view of this server, for test set-up. */
  public TestServer server() {
    return new TestServer("private " + name, "127.0.0.1", port, TOOL_USER, null);
  }

  /** A fresh database on this server, with the TimescaleDB extension. */
  public TestDb createDatabase(String database) {
    return TestDb.create(server(), database, true);
  }

  /** Hands files in this server's folder to the server's user (key files must be its own). */
  public void own(Path path) {
    if (isRoot()) {
      run(List.of("chown", "-R", TOOL_USER + ":" + TOOL_USER, path.toString()), false);
    }
  }

  public void start() {
    pgCtl("start", "-l", dir.resolve("server.log").toString());
  }

  /** Stops with the given mode: {@code fast} (clean) or {@code immediate} (like a crash). */
  public void stop(String mode) {
    pgCtl("stop", "-m", mode);
  }

  public void restart(String mode) {
    pgCtl("restart", "-m", mode, "-l", dir.resolve("server.log").toString());
  }

  /** The server log, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  @Override
  public synchronized void close() {
    if (!Files.exists(data)) {
      return;
    }
    try {
      run(
          asServerUser(
              List.of(pgBin("pg_ctl"), "-D", data.toString(), "-w", "-m", "immediate", "stop")),
          true);
    } finally {
      run(List.of("rm", "-rf", dir.toString()), true);
    }
  }

  private void pgCtl(String action, String... options) {
    List<String> cmd =
        new ArrayList<>(List.of(pgBin("pg_ctl"), "-D", data.toString(), "-w", "-t", "60"));
    cmd.addAll(List.of(options));
    cmd.add(action);
    String out = run(asServerUser(cmd), true);
    if (out.startsWith("FAILED")) {
      throw new IllegalStateException(
          "pg_ctl " + action + " of the private server " + name + " failed: " + out + "\n" + log());
    }
  }

  private static synchronized Path template() throws IOException {
    if (template == null) {
      Path dir = Files.createTempDirectory("backfill-pg-template-");
      if (isRoot()) {
        run(List.of("chown", TOOL_USER + ":" + TOOL_USER, dir.toString()), false);
      }
      Path data = dir.resolve("data");
      run(
          asServerUser(
              List.of(
                  pgBin("initdb"),
                  "-D",
                  data.toString(),
                  "-U",
                  TOOL_USER,
                  "--auth=trust",
                  "-E",
                  "UTF8",
                  "--locale=C.UTF-8",
                  "--no-sync")),
          false);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> run(List.of("rm", "-rf", dir.toString()), true)));
      template = data;
    }
    return template;
  }

  static String pgBin(String program) {
    String bin = System.getenv("PG_BIN");
    if (bin == null || bin.isBlank()) {
      String major = System.getenv("PG_MAJOR");
      bin = "/usr/lib/postgresql/" + (major == null || major.isBlank() ? "15" : major) + "/bin";
    }
    return Path.of(bin, program).toString();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asServerUser(List<String> cmd) {
    if (!isRoot()) {
      return cmd;
    }
    List<String> out = new ArrayList<>(List.of("runuser", "-u", TOOL_USER, "--"));
    out.addAll(cmd);
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Runs a command; its output, or "FAILED (code): output" when lenient and it failed. */
  private static String run(List<String> cmd, boolean lenient) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " timed out");
      }
      if (p.exitValue() != 0) {
        if (lenient) {
          return "FAILED (" + p.exitValue() + "): " + out;
        }
        throw new IllegalStateException(
            String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
