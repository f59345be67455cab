package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Parallel copies on the attach path while an application creates chunks: each attach takes
 * TimescaleDB's chunk-creation lock on the hypertable until its transaction commits, which the
 * other workers' attaches and the application's inserts into new chunks need too. With several
 * workers and an application inserting one row into a new chunk at a time, no chunk is retried for
 * a lock timeout, every chunk is attached (new chunk ids) with exactly the source's rows and the
 * hypertable's indexes and unique constraint once each, and every insert of the application lands.
 *
 * <p>The target hypertable has an index that takes 2 ms a row to build (its key calls pg_sleep), so
 * building one chunk's indexes takes about 0.6 s however busy the machine is: where workers waited
 * in TimescaleDB's lock queue for each other's index builds, the fourth of four waited about three
 * builds, past the 1 s lock timeout the copy gets here.
 */
class TslAttachContentionIT extends TslIntegrationTest {
  private static final String DDL =
      "CREATE TABLE public.contended (time timestamptz NOT NULL, device_id int, val float8,"
          + " note text);"
          + " SELECT create_hypertable('public.contended', 'time',"
          + " chunk_time_interval => interval '1 day');"
          + " CREATE INDEX contended_device_time ON public.contended (device_id, time DESC);"
          + " CREATE INDEX contended_note ON public.contended (note);"
          + " ALTER TABLE public.contended ADD CONSTRAINT contended_key UNIQUE (device_id, time)";

  /** An index key that costs 2 ms a row to compute: a slow index build, whatever the load. */
  private static final String SLOW_INDEX =
      "CREATE FUNCTION public.slow_key(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS"
          + " $$ BEGIN PERFORM pg_sleep(0.002); RETURN $1; END $$;"
          + " CREATE INDEX contended_slow ON public.contended (public.slow_key(device_id))";

  private static final int DAYS = 8;
  private static final int ROWS = DAYS * 300;
  private static final String UNTIL = "2024-03-09T00:00:00Z";
  private static final String BELOW = "time < '2024-03-09 00:00+00'";
  private static final String CHUNK_IDS =
      "SELECT c.table_name || '=' || c.id FROM {chunk} c JOIN _timescaledb_catalog.hypertable h"
          + " ON h.id = c.hypertable_id WHERE h.table_name = 'contended' ORDER BY 1";

  @Test
  void parallelAttachesNeitherTimeOutNorStallAnApplicationCreatingChunks() throws Exception {
    source.exec(DDL);
    target.exec(DDL);
    target.exec(SLOW_INDEX);
    source.exec(
        "INSERT INTO public.contended SELECT '2024-03-01 00:00+00'::timestamptz"
            + " + interval '"
            + DAYS
            + " days' * m / "
            + ROWS
            + ", m % 50, sin(m) * 1000, md5(m::text)"
            + " FROM generate_series(0, "
            + (ROWS - 1)
            + ") m");
    // The target chunks exist, empty, as a schema restore leaves them.
    target.exec(
        "INSERT INTO public.contended (time) SELECT '2024-03-01 12:00+00'::timestamptz"
            + " + d * interval '1 day' FROM generate_series(0, "
            + (DAYS - 1)
            + ") d; DELETE FROM public.contended");
    assertOk(stage("--until", UNTIL));
    List<String> idsBefore =
        target.rows(target.catalog(CHUNK_IDS)).stream().map(r -> r.get(0)).toList();
    assertThat(idsBefore).hasSize(DAYS);

    Inserter app = new Inserter(target);
    app.start();
    ToolRun copied;
    try {
      assertThat(app.firstDone.await(60, TimeUnit.SECONDS))
          .as("the application's first insert within 60 s (%s)", app.failure.get())
          .isTrue();
      // A third of the default lock timeout: a worker that waited under it for the index builds
      // of two others would show up as a retry.
      copied = copy("--output", "json", "--lock-timeout", "1s", "--attach", "on");
    } finally {
      app.stop.set(true);
      app.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertThat(app.isAlive()).as("the application stopped").isFalse();
    assertThat(app.failure).as("the application's inserts").hasNullValue();

    assertOk(copied);
    assertThat(copied.events("retry")).as("retried chunks").isEmpty();
    assertThat(copied.events("chunk_failed")).as("failed chunks").isEmpty();
    assertThat(
            target.count(
                "SELECT count(*) FROM __backfill.task"
                    + " WHERE worked IS NULL OR copy_sqlstate IS NOT NULL OR copy_path <> 'direct'"))
        .as("tasks not copied on the direct path")
        .isZero();
    assertSameRows("public.contended", BELOW);
    List<String> idsAfter =
        target.rows(target.catalog(CHUNK_IDS)).stream().map(r -> r.get(0)).toList();
    assertThat(idsAfter.stream().filter(idsBefore::contains).toList())
        .as("chunks that kept their id, i.e. were not attached (before %s)", idsBefore)
        .isEmpty();
    assertThat(
            target.rows(
                "SELECT count(i.indexrelid) FROM show_chunks('public.contended', older_than =>"
                    + " timestamptz '2024-03-09 00:00+00') s LEFT JOIN pg_index i ON i.indrelid = s"
                    + " GROUP BY s ORDER BY 1"))
        .as("indexes of each copied chunk: the target hypertable's five, once each")
        .containsOnly(List.of("5"));

    assertThat(app.latenciesMillis).isNotEmpty();
    assertThat(target.count("SELECT count(*) FROM public.contended WHERE note = 'app'"))
        .as("rows the application inserted")
        .isEqualTo(app.latenciesMillis.size());
    List<Double> sorted = new ArrayList<>(app.latenciesMillis);
    Collections.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "ATTACH CONTENTION %s: %d inserts into new chunks during copy -p 4, worst %.1f ms,"
            + " median %.1f ms%n",
        target.server().name(),
        sorted.size(),
        sorted.get(sorted.size() - 1),
        sorted.get(sorted.size() / 2));
  }

  /**
   * The application: one row at a time, each a day after the previous one beyond the copied range,
   * so each insert creates a chunk; each in its own transaction, its latency kept.
   */
  private static final class Inserter extends Thread {
    static final int MAX_INSERTS = 5000;
    final List<Double> latenciesMillis = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstDone = new CountDownLatch(1);
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicReference<SQLException> failure = new AtomicReference<>();
    private final TestDb db;

    Inserter(TestDb db) {
      super("application-inserter");
      this.db = db;
    }

    @Override
    public void run() {
      try (Connection c = db.connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO public.contended (time, device_id, note) VALUES"
                      + " (timestamptz '2024-04-01 12:00+00' + ? * interval '1 day', -1, 'app')")) {
        // At most MAX_INSERTS new chunks, however long the copy takes.
        for (int day = 0; !stop.get() && day < MAX_INSERTS; day++) {
          ps.setInt(1, day);
          long t0 = System.nanoTime();
          ps.executeUpdate();
          latenciesMillis.add((System.nanoTime() - t0) / 1e6);
          firstDone.countDown();
        }
      } catch (SQLException e) {
        failure.set(e);
      }
    }
  }
}
