package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.CopyGate;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.Backend;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What the fault-injection tests share: a hypertable worth interrupting, background runs. */
abstract class FaultTest extends IntegrationTest {
  static final String TABLE = "public.readings";
  static final Duration RUN_LIMIT = Duration.ofMinutes(2);

  /**
   * Three daily chunks of about 1.5 MB each (2024-01-01 to 01-03), so a COPY lasts long enough to
   * be interrupted, restored on the target.
   */
  void threeBigChunks() {
    source.exec(
        "CREATE TABLE "
            + TABLE
            + " (time timestamptz NOT NULL, device int, val float8,"
            + " note text)");
    source.exec(
        "SELECT create_hypertable('"
            + TABLE
            + "', 'time',"
            + " chunk_time_interval => interval '1 day')");
    source.exec(
        "INSERT INTO "
            + TABLE
            + " SELECT t, (extract(epoch FROM t) / 3)::int % 7,"
            + " random(), md5(t::text) FROM generate_series('2024-01-01 00:00+00'::timestamptz,"
            + " '2024-01-03 23:59:59+00', '6 seconds') t");
    sourceFixtureWithRestoredTarget();
    assertOk(stage("--until", "2024-01-04T00:00:00Z"));
  }

  /** The target chunk table the tool copies first (newest first). */
  String newestChunk() {
    return target.value(
        "SELECT chunk_name FROM timescaledb_information.chunks"
            + " ORDER BY range_start DESC LIMIT 1");
  }

  CompletableFuture<ToolRun> copyInBackground(String... extra) {
    return CompletableFuture.supplyAsync(() -> copy(extra));
  }

  static ToolRun finish(CompletableFuture<ToolRun> run) throws Exception {
    return run.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
  }

  void assertExact() {
    assertThat(taskCount("worked IS NULL")).as("tasks still pending").isZero();
    assertSameRows(TABLE, null);
  }

  /**
   * The session of the tool that waits at the gate for rows of target chunk {@code chunk}: not a
   * session whose chunk was released a moment ago and that has yet to leave the wait.
   */
  Backend awaitHeldAtGate(String chunk) {
    return ToolBackends.await(
            target,
            b ->
                b.waitsForAdvisoryLock()
                    && "1"
                        .equals(
                            target.value(
                                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                    + " AND NOT granted AND pid = "
                                    + b.pid()
                                    + " AND objsubid = 2 AND classid = "
                                    + CopyGate.KEY
                                    + " AND objid::bigint = (hashtext('"
                                    + chunk
                                    + "')::bigint & 4294967295)")),
            Duration.ofSeconds(60))
        .orElseThrow(
            () -> new AssertionError("no session of the tool waits at the gate of " + chunk));
  }

  Backend awaitHeldAtGate() {
    return ToolBackends.await(target, Backend::waitsForAdvisoryLock, Duration.ofSeconds(60))
        .orElseThrow(() -> new AssertionError("no session of the tool waits at the gate"));
  }

  void terminate(Backend b) {
    assertThat(ToolBackends.terminate(target, b.pid())).as("terminating %s", b).isTrue();
    assertThat(ToolBackends.awaitGone(target, b.pid(), Duration.ofSeconds(10))).isTrue();
  }
}
