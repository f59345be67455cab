package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.DatabasePair;
import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import io.tsbackfill.testbed.TslTestBed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;

/**
 * Base of the tests that need TimescaleDB with the Timescale License (continuous aggregates,
 * create_chunk): a clean source/target pair on the {@link TslTestBed} per test, and the tool run in
 * this JVM with the parallelism those servers allow.
 */
@Tag("tsl")
abstract class TslIntegrationTest {
  protected DatabasePair pair;
  protected TestDb source;
  protected TestDb target;

  @BeforeEach
  void freshPair(TestInfo info) {
    pair =
        TslTestBed.get()
            .freshPair(
                getClass().getSimpleName() + "_" + info.getTestMethod().orElseThrow().getName());
    source = pair.source();
    target = pair.target();
  }

  @AfterEach
  void closePair() {
    if (pair != null) {
      pair.close();
    }
  }

  /** Runs a fixture (statement by statement, as caggs need) on both sides. */
  protected void onBoth(String fixture) {
    SqlScript.run(source, fixture);
    SqlScript.run(target, fixture);
  }

  /**
   * Moves the target's hypertable and chunk id sequences well past the source's, so materialization
   * hypertables and chunks get other names on the target than on the source, as between real
   * databases: the tool must map them by cagg view and by slices, never by name.
   */
  protected void offsetTargetIds() {
    for (String seq : List.of("hypertable_id_seq", "chunk_id_seq")) {
      long s = source.count("SELECT last_value FROM _timescaledb_catalog." + seq);
      long t = target.count("SELECT last_value FROM _timescaledb_catalog." + seq);
      target.value(
          "SELECT setval('_timescaledb_catalog." + seq + "', " + (Math.max(s, t) + 7) + ")");
    }
  }

  protected ToolRun tool(String... args) {
    return ToolRun.inProcess(args);
  }

  protected ToolRun stage(String... extra) {
    return withDatabases("stage", extra);
  }

  protected ToolRun copy(String... extra) {
    List<String> args = new ArrayList<>(Arrays.asList(extra));
    args.add("--parallelism");
    args.add(Integer.toString(TslTestBed.get().parallelism()));
    return withDatabases("copy", args.toArray(String[]::new));
  }

  protected ToolRun refreshCaggs(String... extra) {
    return withDatabases("refresh-caggs", extra);
  }

  protected ToolRun clean() {
    // --force: these tests clean between scenarios with chunks still pending, which a plain
    // clean refuses to forget.
    return tool("clean", "--target", target.uri(), "--force");
  }

  private ToolRun withDatabases(String command, String... extra) {
    List<String> args =
        new ArrayList<>(List.of(command, "--source", source.uri(), "--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return tool(args.toArray(String[]::new));
  }

  protected static void assertOk(ToolRun run) {
    assertThat(run.exitCode()).as("exit code of the tool; its output:\n%s", run).isZero();
  }

  /** Both sides hold the same rows of {@code table} where {@code where} holds (null: all). */
  protected void assertSameRows(String table, String where) {
    assertSameRows(table, table, where);
  }

  /** The source's {@code sourceTable} and the target's {@code targetTable} hold the same rows. */
  protected void assertSameRows(String sourceTable, String targetTable, String where) {
    String s = source.fingerprint(sourceTable, where);
    String t = target.fingerprint(targetTable, where);
    assertThat(t)
        .as(
            "target fingerprint (count:hash) of %s where %s; source %s has %s",
            targetTable, where, sourceTable, s)
        .isEqualTo(s);
    assertThat(s)
        .as("fingerprint of %s on the source (test data present)", sourceTable)
        .doesNotStartWith("0:");
  }

  /** The materialization hypertable of cagg view {@code schema.view} on one side, as a qname. */
  protected static String materialization(TestDb db, String schema, String view) {
    return db.value(
        "SELECT format('%I.%I', h.schema_name, h.table_name)"
            + " FROM _timescaledb_catalog.continuous_agg ca"
            + " JOIN _timescaledb_catalog.hypertable h ON h.id = ca.mat_hypertable_id"
            + " WHERE ca.user_view_schema = '"
            + schema
            + "' AND ca.user_view_name = '"
            + view.replace("'", "''")
            + "'");
  }

  /** Rows in the target's (or source's) hypertable invalidation log of continuous aggregates. */
  protected static long hypertableInvalidations(TestDb db) {
    return db.count(
        "SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log");
  }

  /**
   * Staged tasks per object on the target: hypertables by {@code schema.table}, caggs by their view
   * {@code schema.view}, resolved through the target's catalog from the task's target hypertable.
   * Also checks that the source hypertable of each task resolves to the same object on the source,
   * i.e. that stage mapped materialization hypertables by view name.
   */
  protected Map<String, Long> tasksPerObject() {
    String objectOf =
        "SELECT COALESCE(ca.user_view_schema || '.' || ca.user_view_name,"
            + " h.schema_name || '.' || h.table_name)"
            + " FROM _timescaledb_catalog.hypertable h"
            + " LEFT JOIN _timescaledb_catalog.continuous_agg ca ON ca.mat_hypertable_id = h.id"
            + " WHERE h.schema_name = '%s' AND h.table_name = '%s'";
    Map<String, Long> out = new LinkedHashMap<>();
    for (List<String> row :
        target.rows(
            "SELECT hypertable_schema, hypertable_name, target_hypertable_schema,"
                + " target_hypertable_name, count(*) FROM __backfill.task"
                + " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2")) {
      String onSource = source.value(String.format(objectOf, row.get(0), row.get(1)));
      String onTarget = target.value(String.format(objectOf, row.get(2), row.get(3)));
      assertThat(onTarget)
          .as(
              "object of target hypertable %s.%s (source %s.%s)",
              row.get(2), row.get(3), row.get(0), row.get(1))
          .isEqualTo(onSource);
      out.merge(onTarget, Long.parseLong(row.get(4)), Long::sum);
    }
    return out;
  }
}
