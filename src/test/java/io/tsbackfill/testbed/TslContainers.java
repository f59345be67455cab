package io.tsbackfill.testbed;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker backend of {@link TslTestBed}: two containers of a TimescaleDB image built with the
 * Timescale License ({@code timescale/timescaledb-ha:pg17} unless {@code backfill.tsl.image} says
 * otherwise), started once per JVM, with fresh databases per test as on the native test bed.
 * Without a Docker engine every TSL test is skipped (aborted with the reason), the way
 * {@code @Testcontainers(disabledWithoutDocker = true)} does. Not exercised on the machines this
 * project is developed on, which have no Docker engine.
 */
final class TslContainers implements TslTestBed.Backend {
  private static final String PASSWORD = "backfill-tests";
  private TestBed bed;

  static TslTestBed.Backend start() {
    return new TslContainers();
  }

  @Override
  public synchronized DatabasePair freshPair(String testName) {
    if (bed == null) {
      Assumptions.assumeTrue(
          DockerClientFactory.instance().isDockerAvailable(),
          "TSL tests on Docker (backfill.tsl=docker) need a Docker engine; none is reachable");
      bed = new TestBed(container("source"), container("target"));
    }
    return bed.freshPair(testName);
  }

  @Override
  public int parallelism() {
    return 4;
  }

  @Override
  public String describe() {
    return "Testcontainers " + image();
  }

  private static String image() {
    return TslTestBed.setting(
        "backfill.tsl.image", "BACKFILL_TSL_IMAGE", "timescale/timescaledb-ha:pg17");
  }

  @SuppressWarnings("resource") // stopped by Testcontainers' reaper at JVM exit
  private static TestServer container(String name) {
    PostgreSQLContainer<?> c =
        new PostgreSQLContainer<>(
                DockerImageName.parse(image()).asCompatibleSubstituteFor("postgres"))
            .withUsername("postgres")
            .withPassword(PASSWORD)
            .withDatabaseName("postgres");
    c.start();
    return new TestServer(name, c.getHost(), c.getMappedPort(5432), "postgres", PASSWORD);
  }
}
