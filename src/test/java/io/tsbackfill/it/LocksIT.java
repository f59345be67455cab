package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Locks;
import io.tsbackfill.db.Side;
import io.tsbackfill.testbed.ProcessEnvironment;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolRun;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Chunk-level DDL runs under a lock_timeout: a session holding a conflicting lock on a target chunk
 * makes copy name it (pid, application, query) in its retry notice, and the copy succeeds once the
 * lock is released.
 */
class LocksIT extends IntegrationTest {
  private static final String HOLDER = "backfill-lock-test-holder";
  private static final String TRIGGER = "ts_cagg_invalidation_trigger";

  @Test
  void copyNamesTheSessionThatBlocksItsTriggerDropAndSucceedsOnceItIsGone() throws Exception {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    String chunk =
        target.value(
            "SELECT format('%I.%I', chunk_schema, chunk_name)"
                + " FROM timescaledb_information.chunks ORDER BY range_start DESC LIMIT 1");
    // An Apache-licensed target has no continuous aggregates; give the chunk the trigger a cagg
    // would give it, so that copy drops and re-creates it (TimescaleDB allows creating it).
    target.exec(
        "CREATE TRIGGER "
            + TRIGGER
            + " AFTER INSERT OR UPDATE OR DELETE ON "
            + chunk
            + " FOR EACH ROW EXECUTE FUNCTION"
            + " _timescaledb_functions.continuous_agg_invalidation_trigger(1)");

    try (Connection holder = target.connect()) {
      exec(holder, "SET application_name = '" + HOLDER + "'");
      holder.setAutoCommit(false);
      exec(holder, "LOCK TABLE " + chunk + " IN ACCESS SHARE MODE");

      CompletableFuture<ToolRun> run =
          CompletableFuture.supplyAsync(() -> copy("-p", "1", "--lock-timeout", "1s"));
      // The DROP TRIGGER waits for the lock, then gives up at the lock timeout.
      var waiting =
          ToolBackends.await(
                  target,
                  b -> "Lock".equals(b.waitEventType()) && b.query().startsWith("DROP TRIGGER"),
                  Duration.ofSeconds(60))
              .orElseThrow();
      awaitNotWaiting(waiting.pid());
      holder.commit();

      ToolRun r = run.get(120, TimeUnit.SECONDS);
      assertOk(r);
      assertThat(r.err())
          .as("the retry notice names the blocker")
          .containsPattern(
              "retrying public\\.metrics \\[\\S+, \\S+\\) " + chunk.replace(".", "\\."))
          .contains(
              "[55P03] lock_timeout (1000 ms) reached waiting to drop the invalidation"
                  + " trigger of "
                  + chunk)
          .contains("application '" + HOLDER + "', idle in transaction: LOCK TABLE " + chunk);
    }
    assertSameRows("public.metrics", null);
    assertThat(taskCount("worked IS NULL")).isZero();
    assertThat(
            target.count(
                "SELECT count(*) FROM pg_trigger WHERE tgname = '"
                    + TRIGGER
                    + "'"
                    + " AND tgrelid = '"
                    + chunk.replace("'", "''")
                    + "'::regclass"))
        .as("the invalidation trigger is back on the chunk")
        .isEqualTo(1);
  }

  @Test
  void ddlRetriedInPlaceSurvivesALockHeldForAWhileAndNamesTheBlockerWhenItIsNot() throws Exception {
    // The mechanism stage uses for create_chunk (no TSL server here: any DDL will do).
    target.exec("CREATE TABLE public.locked (id int)");
    ConnectionSpec spec =
        ConnectionSpec.parse(Side.TARGET, target.uri(), ProcessEnvironment.client());
    Locks locks = new Locks(spec, Duration.ofMillis(600));
    try (Connection holder = target.connect();
        Connection c = target.connect()) {
      exec(holder, "SET application_name = '" + HOLDER + "'");
      holder.setAutoCommit(false);
      exec(holder, "LOCK TABLE public.locked IN ACCESS SHARE MODE");

      c.setAutoCommit(false);
      exec(c, "INSERT INTO public.locked VALUES (1)"); // survives the timeouts (savepoints)
      assertThatThrownBy(
              () ->
                  locks.runRetrying(
                      c,
                      "add a column",
                      2,
                      () -> {
                        exec(c, "ALTER TABLE public.locked ADD COLUMN a int");
                        return null;
                      }))
          .isInstanceOf(Locks.LockTimeout.class)
          .hasMessageContaining(
              "lock_timeout (600 ms) reached waiting to add a column: blocked" + " by pid")
          .hasMessageContaining(
              "application '"
                  + HOLDER
                  + "', idle in transaction: LOCK TABLE"
                  + " public.locked IN ACCESS SHARE MODE");

      // The holder lets go once the DDL has timed out at least once and is being retried.
      AtomicInteger attempts = new AtomicInteger();
      CompletableFuture<Void> release =
          CompletableFuture.runAsync(
              () -> {
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (attempts.get() < 2 && System.nanoTime() < end) {
                  sleep(25);
                }
                try {
                  holder.commit();
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      locks.runRetrying(
          c,
          "add a column",
          10,
          () -> {
            attempts.incrementAndGet();
            exec(c, "ALTER TABLE public.locked ADD COLUMN b int");
            return null;
          });
      release.get(30, TimeUnit.SECONDS);
      assertThat(attempts.get())
          .as("attempts at the DDL: one timed out, then retried")
          .isGreaterThanOrEqualTo(2);
      try (Statement st = c.createStatement();
          var rs = st.executeQuery("SELECT current_setting('lock_timeout')")) {
        rs.next();
        assertThat(rs.getString(1)).as("the session's own lock_timeout, restored").isEqualTo("0");
      }
      c.commit();
    }
    assertThat(
            target.value(
                "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute"
                    + " WHERE attrelid = 'public.locked'::regclass AND attnum > 0"))
        .isEqualTo("id,b");
    assertThat(target.count("SELECT count(*) FROM public.locked")).isEqualTo(1);
  }

  private void awaitNotWaiting(int pid) {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < end) {
      boolean waits =
          ToolBackends.of(target).stream()
              .anyMatch(b -> b.pid() == pid && "Lock".equals(b.waitEventType()));
      if (!waits) {
        return;
      }
      sleep(25);
    }
    throw new AssertionError("the tool still waits for the lock after 30 s: no lock_timeout");
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
