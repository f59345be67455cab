package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.DatabasePair;
import io.tsbackfill.testbed.JarProcess;
import io.tsbackfill.testbed.NativeBeds;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.TestBed;
import io.tsbackfill.testbed.TestDb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The migration runbook end to end, with the built jar, on every version pair the README promises:
 * each native TimescaleDB build with the Timescale License ({@link NativeBeds}) and the
 * Apache-licensed bed. The extension lives in a schema of its own, off the search path.
 *
 * <p>The runbook: schema restore with that version's own {@code pg_dump}; afterwards the source
 * grows chunks older than any restored one and compresses more; the target gets dual-written rows
 * from the cut-over on and stale rows below it; then {@code stage --cascade-up} (time and integer
 * hypertables, the bound inside a compressed chunk and inside an integer chunk), {@code copy -p 4},
 * {@code verify}, {@code refresh-caggs}, {@code clean}. TSL beds add compressed, partially
 * compressed and compressed-after-restore chunks and a two-level cagg hierarchy.
 *
 * <p>Checks: the rows of both hypertables are equal on both sides (fingerprints), the compressed
 * state of every chunk below the bound is equal, the caggs read the same below the bound, and the
 * copy added no entry to the target's invalidation logs.
 */
class MatrixIT {
  private static final String EXT = "tsdb";
  private static final String UNTIL = "2024-01-05T12:00:00Z";
  private static final String UNTIL_SQL = "timestamptz '2024-01-05 12:00:00+00'";
  private static final String INT_UNTIL = "8500";
  private static final Duration STEP = Duration.ofMinutes(5);

  static Stream<Arguments> beds() {
    List<Arguments> out = new ArrayList<>();
    for (NativeBeds.Bed bed : NativeBeds.all()) {
      out.add(
          Arguments.of(
              bed.toString() + " TSL", (java.util.function.Supplier<TestBed>) bed::testBed, true));
    }
    out.add(
        Arguments.of(
            "2.19.3 Apache (local)", (java.util.function.Supplier<TestBed>) TestBed::local, false));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("beds")
  void runbook(String label, java.util.function.Supplier<TestBed> bed, boolean tsl) {
    try (DatabasePair pair = bed.get().freshPair("matrix", EXT)) {
      TestDb source = pair.source();
      TestDb target = pair.target();
      SqlScript.run(source, "matrix/schema");
      if (tsl) {
        SqlScript.run(source, "matrix/tsl");
      }
      SchemaRestore.restore(source, target, EXT);
      SqlScript.run(source, "matrix/after-restore");
      if (tsl) {
        SqlScript.run(source, "matrix/after-restore-tsl");
      }
      dualWrite(source, target);
      SqlScript.run(target, "matrix/target-writes");
      long invalidationsBefore = tsl ? invalidations(target) : 0;

      run(
          label,
          "stage",
          source,
          target,
          "--until",
          UNTIL,
          "--filter",
          "^public\\.metrics$",
          "--cascade-up");
      run(
          label,
          "stage",
          source,
          target,
          "--until",
          INT_UNTIL,
          "--filter",
          "^public\\.\"Int Events\"$");
      run(label, "copy", source, target, "--parallelism", "4");
      long invalidationsAfter = tsl ? invalidations(target) : 0;
      String invalidationDetail = tsl ? invalidationDetail(target) : "";
      run(label, "verify", source, target, "--parallelism", "4");
      if (tsl) {
        run(label, "refresh-caggs", source, target);
      }

      for (String table : List.of("public.metrics", "public.\"Int Events\"")) {
        assertThat(target.fingerprint(table, null))
            .as("%s: rows of %s on the target (count:hash)", label, table)
            .isEqualTo(source.fingerprint(table, null));
      }
      assertThat(compressedState(target))
          .as("%s: compressed state of the chunks below the bound", label)
          .isEqualTo(compressedState(source));
      if (tsl) {
        assertThat(compressedState(source))
            .as("%s: the source has compressed chunks", label)
            .anyMatch(row -> row.get(2).startsWith("t"));
        assertThat(target.fingerprint("public.metrics_hourly", "bucket < " + UNTIL_SQL))
            .as("%s: hourly cagg below the bound", label)
            .isEqualTo(source.fingerprint("public.metrics_hourly", "bucket < " + UNTIL_SQL));
        assertThat(target.fingerprint("public.metrics_daily", "day < " + UNTIL_SQL))
            .as("%s: daily cagg below the bound", label)
            .isEqualTo(source.fingerprint("public.metrics_daily", "day < " + UNTIL_SQL));
        assertThat(
                source.count("SELECT count(*) FROM public.metrics_daily WHERE day < " + UNTIL_SQL))
            .as("%s: daily cagg rows on the source", label)
            .isPositive();
      }
      // TimescaleDB 2.23 to 2.27 log every write into a chunk of a hypertable with caggs and offer
      // no way to skip that (no trigger to drop, no skip switch): there the copy leaves entries,
      // which make the target re-materialize the copied range once. Everywhere else it leaves none.
      if (tsl
          && (target.layout().hasInvalidationTrigger()
              || target.layout().hasSkipCaggInvalidation())) {
        assertThat(invalidationsAfter)
            .as(
                "%s: invalidation-log entries on the target after the copy: %s",
                label, invalidationDetail)
            .isEqualTo(invalidationsBefore);
      }
      JarProcess.Result cleaned = JarProcess.run(STEP, List.of("clean", "--target", target.uri()));
      assertThat(cleaned.exitCode()).as("%s: clean\n%s", label, cleaned).isZero();
      assertThat(target.exists("__backfill.task"))
          .as("%s: task table after clean", label)
          .isFalse();
    }
  }

  /** The application's writes from the cut-over on: the source's rows there, on the target too. */
  private static void dualWrite(TestDb source, TestDb target) {
    insertRows(source, target, "public.metrics", "\"time\" >= " + UNTIL_SQL);
    insertRows(source, target, "public.\"Int Events\"", "\"Tick\" >= " + INT_UNTIL);
  }

  private static void insertRows(TestDb source, TestDb target, String table, String where) {
    List<String> rows =
        source
            .rows(
                "SELECT format('(%s)', concat_ws(', ', VARIADIC (SELECT array_agg(quote_nullable(v))"
                    + " FROM json_each_text(row_to_json(t)) AS j(k, v)))) FROM "
                    + table
                    + " t WHERE "
                    + where)
            .stream()
            .map(r -> r.get(0))
            .toList();
    assertThat(rows).as("rows of %s to dual-write", table).isNotEmpty();
    for (int i = 0; i < rows.size(); i += 1000) {
      target.exec(
          "INSERT INTO "
              + table
              + " VALUES "
              + String.join(", ", rows.subList(i, Math.min(rows.size(), i + 1000))));
    }
  }

  private static void run(
      String label, String command, TestDb source, TestDb target, String... extra) {
    List<String> args =
        new ArrayList<>(List.of(command, "--source", source.uri(), "--target", target.uri()));
    args.addAll(List.of(extra));
    JarProcess.Result r = JarProcess.run(STEP, args);
    assertThat(r.exitCode()).as("%s: %s\n%s", label, String.join(" ", args), r).isZero();
  }

  /** Per chunk of metrics wholly below the bound: its time range and whether it is compressed. */
  private static List<List<String>> compressedState(TestDb db) {
    return db.rows(
        "SELECT range_start::text, range_end::text, is_compressed::text"
            + " FROM timescaledb_information.chunks"
            + " WHERE hypertable_schema = 'public' AND hypertable_name = 'metrics'"
            + " AND range_end <= "
            + UNTIL_SQL
            + " ORDER BY 1, 3");
  }

  private static String invalidationDetail(TestDb target) {
    return target.rows(
            "SELECT 'hypertable', hypertable_id, lowest_modified_value,"
                + " greatest_modified_value"
                + " FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log"
                + " UNION ALL SELECT 'materialization', materialization_id, lowest_modified_value,"
                + " greatest_modified_value"
                + " FROM _timescaledb_catalog.continuous_aggs_materialization_invalidation_log")
        + "; tasks (chunk, path, filter): "
        + target.rows("SELECT chunk_name, copy_path, filter FROM __backfill.task ORDER BY 1");
  }

  private static long invalidations(TestDb db) {
    return db.count(
        "SELECT (SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log)"
            + " + (SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_materialization_invalidation_log)");
  }
}
