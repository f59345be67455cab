package io.tsbackfill.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Source and target servers whose TimescaleDB has the Timescale License (continuous aggregates,
 * compression, {@code create_chunk}), for the integration tests tagged {@code tsl}. System property
 * {@code backfill.tsl} (or environment variable {@code BACKFILL_TSL}) picks where:
 *
 * <ul>
 *   <li>{@code native} (default): the newest native bed that {@code scripts/testbed/tsl.sh} built
 *       and started ({@link NativeBeds#newest()}, {@code BACKFILL_TSL_VERSION} picks another), with
 *       fresh databases per test as on the Apache bed, several copy workers, and that version's own
 *       {@code pg_dump} and {@code psql} for schema restores.
 *   <li>{@code docker}: two Testcontainers containers of {@code timescale/timescaledb-ha} (image
 *       from {@code backfill.tsl.image}). Where no Docker engine runs, every TSL test is skipped
 *       with that reason.
 * </ul>
 */
public final class TslTestBed {
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

  /** The TSL servers of this JVM, found on first use. */
  public static synchronized TslTestBed get() {
    if (instance == null) {
      String kind = setting("backfill.tsl", "BACKFILL_TSL", "native").toLowerCase(Locale.ROOT);
      Backend backend =
          switch (kind) {
            case "native" -> new NativeBackend(NativeBeds.newest());
            case "docker" -> TslContainers.start();
            default ->
                throw new IllegalStateException(
                    "backfill.tsl / BACKFILL_TSL must be native or docker, not '" + kind + "'");
          };
      instance = new TslTestBed(backend);
    }
    return instance;
  }

  /** A source and a target database with nothing in them but the timescaledb extension. */
  public DatabasePair freshPair(String testName) {
    return backend.freshPair(testName);
  }

  /** The {@code --parallelism} copy uses against these servers. */
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

  /** A native bed: real servers, fresh databases per test, several workers. */
  private static final class NativeBackend implements Backend {
    private final NativeBeds.Bed bed;
    private final TestBed servers;

    NativeBackend(NativeBeds.Bed bed) {
      this.bed = bed;
      this.servers = bed.testBed();
    }

    @Override
    public DatabasePair freshPair(String testName) {
      return servers.freshPair(testName);
    }

    @Override
    public int parallelism() {
      return 4;
    }

    @Override
    public String describe() {
      return "native TimescaleDB " + bed.version() + " with TSL on PostgreSQL " + bed.pgMajor();
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
