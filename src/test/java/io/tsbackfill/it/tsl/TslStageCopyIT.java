package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What only a target with the Timescale License allows: stage creates the missing target chunks
 * with TimescaleDB's create_chunk (same slices as the source's), and copy then writes every chunk
 * on the direct path, on a target that got its hypertables fresh (no schema restore, no chunks).
 */
class TslStageCopyIT extends TslIntegrationTest {
  private static final String SLICES =
      "SELECT string_agg(format('%s %s [%s, %s)', h.table_name, d.column_name, s.range_start,"
          + " s.range_end), ', ' ORDER BY h.table_name, s.range_start, d.column_name, s.range_end)"
          + " FROM {chunk} c"
          + " JOIN _timescaledb_catalog.hypertable h ON h.id = c.hypertable_id"
          + " JOIN {chunk_slice} s ON s.chunk_id = c.id"
          + " JOIN _timescaledb_catalog.dimension d ON d.id = s.dimension_id"
          + " WHERE h.schema_name = 'public'";

  @Test
  void stageCreatesTargetChunksAndCopyWritesThemDirectly() {
    for (String fixture : List.of("metrics", "space")) {
      source.fixture(fixture);
      target.fixture(fixture);
    }
    for (String table : List.of("public.metrics", "public.spaced")) {
      target.exec("TRUNCATE " + table);
    }
    offsetTargetIds();
    // Dual-written rows after --until, on both sides, as the application writes them.
    for (TestDb db : List.of(source, target)) {
      db.exec("INSERT INTO public.metrics VALUES ('2023-05-28 10:00+00', 'dual', 1)");
      db.exec("INSERT INTO public.spaced VALUES ('2024-03-04 20:00+00', 99, 1)");
    }
    long targetChunksBefore = chunks(target);

    ToolRun stagedMetrics =
        stage("--filter", "^public\\.metrics$", "--until", "2023-05-26T00:00:00Z");
    assertOk(stagedMetrics);
    ToolRun stagedSpaced =
        stage("--filter", "^public\\.spaced$", "--until", "2024-03-04T12:00:00Z");
    assertOk(stagedSpaced);

    // metrics: 5 chunks start before --until (the last one cut by it); the target has that last
    // one already, with the same slices, from the dual-written row. spaced: 4 days x 4 partitions,
    // of which the target has one (device 99 on March 4).
    assertThat(stagedMetrics.out()).contains("Staged 5 chunks").contains("created 4 target chunks");
    assertThat(stagedSpaced.out())
        .contains("Staged 16 chunks")
        .contains("created 15 target chunks");
    assertThat(chunks(target)).isEqualTo(targetChunksBefore + 4 + 15);
    assertThat(target.value(target.catalog(SLICES)))
        .as("target chunk slices, which stage created with the source's")
        .isEqualTo(source.value(source.catalog(SLICES)));

    ToolRun copied = copy();
    assertOk(copied);
    assertThat(copied.out()).contains("Copying 21 pending chunks").contains("(direct)");
    assertThat(copied.out()).doesNotContain("(routed)");
    assertThat(target.count("SELECT count(*) FROM __backfill.task WHERE copy_path = 'direct'"))
        .isEqualTo(21);

    assertSameRows("public.metrics", "time < '2023-05-26 00:00+00'");
    assertSameRows("public.spaced", "time < '2024-03-04 12:00+00'");
    assertThat(
            target.value(
                "SELECT string_agg(device_id, ',') FROM public.metrics"
                    + " WHERE time >= '2023-05-26 00:00+00'"))
        .as("target rows at or after --until: only the dual-written one")
        .isEqualTo("dual");
    assertThat(
            target.count("SELECT count(*) FROM public.spaced WHERE time >= '2024-03-04 12:00+00'"))
        .isEqualTo(1);

    // Staging again finds every chunk staged and creates nothing.
    ToolRun again = stage("--filter", "^public\\.metrics$", "--until", "2023-05-26T00:00:00Z");
    assertOk(again);
    assertThat(again.out()).contains("5 chunks were staged already").contains("Staged 0 chunks");
    assertThat(chunks(target)).isEqualTo(targetChunksBefore + 19);
  }

  private static long chunks(TestDb db) {
    return db.count("SELECT count(*) FROM timescaledb_information.chunks");
  }

  /**
   * An OSM (tiered storage) chunk keeps its rows outside the database: stage leaves it out and
   * stages the rest. Without the OSM extension here, the catalog flag is set by hand on one source
   * chunk, which is exactly what stage reads.
   */
  @Test
  void osmChunksAreNotStaged() {
    source.fixture("metrics");
    target.fixture("metrics");
    String osm =
        source.value(
            "SELECT format('%I.%I', chunk_schema, chunk_name) FROM timescaledb_information.chunks"
                + " WHERE hypertable_name = 'metrics' ORDER BY range_start LIMIT 1");
    String all =
        source.value(
            "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"
                + " AND range_start < '2023-05-26 00:00+00'");
    source.exec(
        source.catalog(
            "UPDATE _timescaledb_catalog.chunk SET osm_chunk = true WHERE id = (SELECT c.id FROM"
                + " {chunk} c WHERE format('%I.%I', c.schema_name, c.table_name) = '"
                + osm
                + "')"));

    assertOk(stage("--filter", "^public\\.metrics$", "--until", "2023-05-26T00:00:00Z"));

    assertThat(target.count("SELECT count(*) FROM __backfill.task"))
        .as("staged chunks: all but the OSM chunk %s", osm)
        .isEqualTo(Long.parseLong(all) - 1);
    assertThat(
            target.count(
                "SELECT count(*) FROM __backfill.task WHERE format('%I.%I', chunk_schema, chunk_name)"
                    + " = '"
                    + osm
                    + "'"))
        .isZero();
  }
}
