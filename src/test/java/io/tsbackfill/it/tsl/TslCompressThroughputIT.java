package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The same rows copied once uncompressed and once as compressed batches: both arrive intact, the
 * compressed copy streams fewer bytes, and the throughput of each (rows/s of logical rows, MB/s of
 * COPY data, from the tasks' own transaction times) is printed for the report. {@code
 * BACKFILL_IT_COMPRESS_ROWS} (default 50,000) sets the row count of each hypertable.
 */
class TslCompressThroughputIT extends TslIntegrationTest {
  @Test
  void compressedBatchesAgainstPlainRowsOfTheSameData() {
    long rows = Long.parseLong(System.getenv().getOrDefault("BACKFILL_IT_COMPRESS_ROWS", "50000"));
    long minutes = rows / 10;
    for (String table : List.of("plain", "packed")) {
      String ddl =
          "CREATE TABLE public."
              + table
              + " (time timestamptz NOT NULL, device_id int, val float8,"
              + " note text);"
              + " SELECT create_hypertable('public."
              + table
              + "', 'time',"
              + " chunk_time_interval => interval '7 days');"
              + " ALTER TABLE public."
              + table
              + " SET (timescaledb.compress,"
              + " timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time')";
      source.exec(ddl);
      target.exec(ddl);
      source.exec(
          "INSERT INTO public."
              + table
              + " SELECT '2023-05-04 00:00+00'::timestamptz"
              + " + m * interval '1 minute', d, sin(m) * 100 + d, 'reading ' || (m % 17)"
              + " FROM generate_series(0, "
              + (minutes - 1)
              + ") m, generate_series(1, 10) d");
    }
    source.exec("SELECT compress_chunk(c) FROM show_chunks('public.packed') c");

    assertOk(stage("--until", "2024-01-01T00:00:00Z"));
    ToolRun copied = copy();
    assertOk(copied);
    assertSameRows("public.plain", null);
    assertSameRows("public.packed", null);
    assertThat(
            target.count(
                "SELECT count(*) FROM timescaledb_information.chunks"
                    + " WHERE hypertable_name = 'packed' AND is_compressed"))
        .as("compressed chunks of packed on the target")
        .isEqualTo(
            source.count(
                "SELECT count(*) FROM timescaledb_information.chunks"
                    + " WHERE hypertable_name = 'packed'"));

    double[] plain = measure("plain", rows);
    double[] packed = measure("packed", rows);
    assertThat(packed[1])
        .as("COPY bytes of the compressed copy vs the plain one")
        .isLessThan(plain[1]);
    System.out.printf(
        Locale.ROOT,
        "THROUGHPUT %d rows: uncompressed %.0f rows/s %.2f MB/s (%.2f MB in %.3f s);"
            + " compressed batches %.0f rows/s %.2f MB/s (%.2f MB in %.3f s)%n",
        rows,
        rows / plain[0],
        plain[1] / 1e6 / plain[0],
        plain[1] / 1e6,
        plain[0],
        rows / packed[0],
        packed[1] / 1e6 / packed[0],
        packed[1] / 1e6,
        packed[0]);
  }

  /** Seconds spent in the chunks' copy transactions and COPY bytes, for one hypertable. */
  private double[] measure(String table, long rows) {
    List<String> r =
        target
            .rows(
                "SELECT sum(extract(epoch FROM upper(worked) - lower(worked))),"
                    + " sum(copied_bytes) FROM __backfill.task WHERE hypertable_name = '"
                    + table
                    + "'")
            .get(0);
    return new double[] {Double.parseDouble(r.get(0)), Double.parseDouble(r.get(1))};
  }
}
