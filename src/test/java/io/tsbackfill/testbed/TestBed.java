package io.tsbackfill.testbed;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two servers integration tests run against, SOURCE and TARGET, and fresh database pairs on
 * them. Fails loudly when the servers are not reachable: the README's test command starts them.
 * {@code BACKFILL_TESTBED=containers} puts the whole suite on two Testcontainers TimescaleDB
 * containers instead ({@link TimescaleContainers}).
 */
public final class TestBed {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static TestBed local;
  private static TestBed containers;

  private final TestServer source;
  private final TestServer target;
  private Standby standby;

  public TestBed(TestServer source, TestServer target) {
    this.source = source;
    this.target = target;
  }

  /**
   * The servers this run uses, as {@code BACKFILL_TESTBED} says: {@code local} (default) or {@code
   * containers}.
   */
  public static TestBed current() {
    String kind = env("BACKFILL_TESTBED", "local").strip().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case "local" -> local();
      case "containers" -> containers();
      default ->
          throw new IllegalStateException(
              "BACKFILL_TESTBED must be 'local' or 'containers', not '" + kind + "'");
    };
  }

  /** Two TimescaleDB containers, started once per JVM; fails when there is no Docker engine. */
  public static synchronized TestBed containers() {
    if (containers == null) {
      containers = TimescaleContainers.start();
      containers.check();
    }
    return containers;
  }

  /** The local servers from the environment (scripts/testbed/servers.sh). */
  public static synchronized TestBed local() {
    if (local == null) {
      String s =
          env(
              "BACKFILL_TEST_SOURCE_URL",
              "postgres://postgres@127.0.0.1:"
                  + env("BACKFILL_SOURCE_PORT", "55432")
                  + "/postgres");
      String t =
          env(
              "BACKFILL_TEST_TARGET_URL",
              "postgres://postgres@127.0.0.1:"
                  + env("BACKFILL_TARGET_PORT", "55433")
                  + "/postgres");
      local = new TestBed(TestServer.fromUrl("source", s), TestServer.fromUrl("target", t));
      local.check();
    }
    return local;
  }

  private void check() {
    check("scripts/testbed/servers.sh start");
  }

  /** Fails naming each server that does not answer, and {@code startCommand} that starts it. */
  void check(String startCommand) {
    for (TestServer s : new TestServer[] {source, target}) {
      try (Connection c = s.connect("postgres")) {
        c.isValid(5);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "the "
                + s.name()
                + " test server at "
                + s.host()
                + ":"
                + s.port()
                + " is not reachable ("
                + e.getMessage()
                + "); start the test bed with "
                + startCommand
                + ", or run scripts/test.sh",
            e);
      }
    }
  }

  /**
   * The hot standby of the source, on the local test bed (checked the first time it is asked for:
   * {@code servers.sh start} makes it); empty on the container test bed, which has none.
   */
  public synchronized java.util.Optional<Standby> standby() {
    if (this != local) {
      return java.util.Optional.empty();
    }
    if (standby == null) {
      String url =
          env(
              "BACKFILL_TEST_STANDBY_URL",
              "postgres://postgres@127.0.0.1:"
                  + env("BACKFILL_STANDBY_PORT", "55434")
                  + "/postgres");
      Standby s = new Standby(source, TestServer.fromUrl("standby", url));
      s.check();
      standby = s;
    }
    return java.util.Optional.of(standby);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  public TestServer source() {
    return source;
  }

  public TestServer target() {
    return target;
  }

  /** A fresh database on each server, named after the test, with the extension created. */
  public DatabasePair freshPair(String testName) {
    String name = uniqueName(testName);
    TestDb s = TestDb.create(source, name, true);
    TestDb t = TestDb.create(target, name, true);
    return new DatabasePair(s, t);
  }

  /**
   * A fresh database on each server with the extension created in schema {@code extensionSchema}
   * (made first), where the search path does not find it.
   */
  public DatabasePair freshPair(String testName, String extensionSchema) {
    String name = uniqueName(testName);
    TestDb s = TestDb.create(source, name, false);
    TestDb t = TestDb.create(target, name, false);
    String ddl =
        "CREATE SCHEMA "
            + extensionSchema
            + "; CREATE EXTENSION timescaledb SCHEMA "
            + extensionSchema;
    s.exec(ddl);
    t.exec(ddl);
    return new DatabasePair(s, t);
  }

  /** A fresh database on one of the two servers, with the extension created; close drops it. */
  public TestDb freshDb(TestServer server, String testName) {
    return TestDb.create(server, uniqueName(testName), true);
  }

  private static String uniqueName(String testName) {
    String name =
        ("bf_"
                + testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")
                + "_"
                + ProcessHandle.current().pid()
                + "_"
                + COUNTER.incrementAndGet())
            .replaceAll("_+", "_");
    if (name.length() > 60) {
      name = name.substring(name.length() - 60).replaceFirst("^_", "bf");
    }
    return name;
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
