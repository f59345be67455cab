package io.tsbackfill.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The test bed on two Testcontainers TimescaleDB containers, SOURCE and TARGET, for machines with a
 * Docker engine (these have none: see {@code ContainersIT}, which is then reported skipped). {@code
 * BACKFILL_TESTBED=containers} runs every integration test on them.
 *
 * <p>Settings (environment): {@code BACKFILL_TESTBED_IMAGE}, default {@value #DEFAULT_IMAGE}
 * ({@code timescale/timescaledb:latest-pg16} works too); {@code BACKFILL_TESTBED_LICENSE}, default
 * {@code apache}: both images ship the Timescale License, and the suite's expectations (the routed
 * path on fresh targets) are those of the Apache build the local clusters run; set it to {@code
 * timescale} for TSL features (stage then creates target chunks, so fresh targets take the direct
 * path). pg_dump and psql run inside the containers, so no local client of the server's major
 * version is needed. The containers live until the JVM exits (Testcontainers' reaper).
 */
public final class TimescaleContainers {
  static final String DEFAULT_IMAGE = "timescale/timescaledb-ha:pg16";
  private static final int PORT = 5432;
  private static final String USER = "postgres";
  private static final String PASSWORD = "backfill-container-secret";
  private static final AtomicInteger FILES = new AtomicInteger();

  private TimescaleContainers() {}

  /** Whether a Docker engine answers (Testcontainers' own check). */
  public static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  /** The image and license in use, as the settings give them. */
  public static String image() {
    return env("BACKFILL_TESTBED_IMAGE", DEFAULT_IMAGE);
  }

  public static String license() {
    return env("BACKFILL_TESTBED_LICENSE", "apache").toLowerCase(Locale.ROOT);
  }

  /** Starts both containers (in parallel) and returns the test bed on them. */
  static TestBed start() {
    if (!dockerAvailable()) {
      throw new IllegalStateException(
          "the container test bed needs a Docker engine, and Testcontainers finds none; unset"
              + " BACKFILL_TESTBED to use the local servers (scripts/testbed/servers.sh start)");
    }
    PostgreSQLContainer<?> source = container("source");
    PostgreSQLContainer<?> target = container("target");
    Startables.deepStart(source, target).join();
    return new TestBed(server("source", source), server("target", target));
  }

  private static PostgreSQLContainer<?> container(String role) {
    DockerImageName image = DockerImageName.parse(image()).asCompatibleSubstituteFor("postgres");
    PostgreSQLContainer<?> c = new PostgreSQLContainer<>(image);
    c.withUsername(USER)
        .withPassword(PASSWORD)
        .withDatabaseName("postgres")
        .withSharedMemorySize(256L * 1024 * 1024)
        .withLabel("io.tsbackfill.testbed", role)
        .withCommand(
            "postgres",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
            "-c",
            "timescaledb.telemetry_level=off",
            "-c",
            "timescaledb.license=" + license());
    return c;
  }

  private static TestServer server(String name, PostgreSQLContainer<?> c) {
    return new TestServer(
        name, c.getHost(), c.getMappedPort(PORT), USER, PASSWORD, new InContainer(c));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  /** pg_dump and psql of the container itself, over its loopback. */
  private record InContainer(PostgreSQLContainer<?> container) implements ClientPrograms {

    @Override
    public String dump(TestServer server, String database, List<String> options) {
      List<String> cmd = new ArrayList<>();
      cmd.add("pg_dump");
      cmd.addAll(options);
      cmd.add(inside(database));
      return exec(server, cmd);
    }

    @Override
    public void restore(TestServer server, String database, String script) {
      String file = "/tmp/backfill-restore-" + FILES.incrementAndGet() + ".sql";
      container.copyFileToContainer(Transferable.of(script.getBytes(StandardCharsets.UTF_8)), file);
      List<String> cmd = new ArrayList<>();
      cmd.add("psql");
      cmd.addAll(ClientPrograms.restoreOptions());
      cmd.add("--file=" + file);
      cmd.add(inside(database));
      exec(server, cmd);
      exec(server, List.of("rm", "-f", file));
    }

    private static String inside(String database) {
      return ClientPrograms.conninfo("127.0.0.1", PORT, USER, PASSWORD, database);
    }

    private String exec(TestServer server, List<String> cmd) {
      try {
        ExecResult r = container.execInContainer(cmd.toArray(String[]::new));
        if (r.getExitCode() != 0) {
          throw new IllegalStateException(
              cmd.get(0)
                  + " in the "
                  + server.name()
                  + " container failed (exit "
                  + r.getExitCode()
                  + "): "
                  + r.getStderr().strip());
        }
        return r.getStdout();
      } catch (IOException e) {
        throw new IllegalStateException(cmd.get(0) + " in the " + server.name() + " container", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(cmd.get(0) + " interrupted", e);
      }
    }
  }
}
