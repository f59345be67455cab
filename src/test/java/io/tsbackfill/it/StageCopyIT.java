package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** stage + copy + clean against real TimescaleDB, on both write paths. */
class StageCopyIT extends IntegrationTest {

  @Test
  void restoredTargetIsCopiedDirectlyAndExactly() {
    sourceFixtureWithRestoredTarget("metrics");
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks")).isEqualTo(5);

    ToolRun staged = stage("--until", "2023-06-01T00:00:00Z");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 5 chunks");
    ToolRun copied = copy("--parallelism", "2");
    assertOk(copied);

    assertThat(copied.out()).contains("Copying 5 pending chunks").contains("(direct)");
    assertThat(copied.out()).doesNotContain("(routed)");
    assertSameRows("public.metrics", null);
    assertThat(target.count("SELECT count(*) FROM public.metrics")).isEqualTo(1488);
    assertThat(taskCount("worked IS NOT NULL AND copy_path = 'direct'")).isEqualTo(5);
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks")).isEqualTo(5);

    ToolRun cleaned = tool("clean", "--target", target.uri());
    assertOk(cleaned);
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  @Test
  void freshTargetIsCopiedThroughTheHypertableAndRecopyIsIdempotent() {
    sourceFixtureWithFreshTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    ToolRun copied = copyRouted("-p", "3");
    assertOk(copied);
    assertThat(copied.out()).contains("(routed)");
    assertSameRows("public.metrics", null);
    assertThat(taskCount("copy_path = 'routed'")).isEqualTo(5);

    // Copy everything again: the target now has the chunks (direct), rows are replaced, not
    // doubled.
    target.exec("UPDATE __backfill.task SET worked = NULL");
    ToolRun again = copy("-p", "2");
    assertOk(again);
    assertThat(again.out()).contains("(direct)");
    assertSameRows("public.metrics", null);
  }

  @Test
  void partialChunksKeepDualWrittenRowsAndReplaceStaleOnes() {
    for (boolean restored : new boolean[] {true, false}) {
      if (!restored) {
        replacePair("partial_fresh");
      }
      String dual =
          "INSERT INTO public.metrics SELECT t, 'dual', 42 FROM generate_series("
              + "'2023-05-20 00:00+00'::timestamptz, '2023-06-10 23:00+00', '1 hour') t";
      if (restored) {
        sourceFixtureWithRestoredTarget("metrics");
      } else {
        sourceFixtureWithFreshTarget("metrics");
      }
      // The application dual-writes to both sides; the target also has stale rows in range and
      // rows before --from that are not ours to touch.
      source.exec(dual);
      target.exec(dual);
      target.exec(
          "INSERT INTO public.metrics VALUES ('2023-05-10 10:00+00', 'stale', -1),"
              + " ('2023-05-25 23:59:59+00', 'stale', -2)");
      target.exec("INSERT INTO public.metrics VALUES ('2023-05-02 10:00+00', 'before-from', 7)");

      ToolRun staged = stage("--from", "2023-05-03T00:00:00Z", "--until", "2023-05-26T00:00:00Z");
      assertOk(staged);
      assertThat(staged.out()).contains("cut by a bound");
      assertThat(taskCount("filter IS NOT NULL")).as("partial chunks").isEqualTo(2);
      assertOk(copy("-p", "2"));

      String inRange = "time >= '2023-05-03 00:00+00' AND time < '2023-05-26 00:00+00'";
      assertSameRows("public.metrics", inRange);
      assertThat(target.count("SELECT count(*) FROM public.metrics WHERE device_id = 'stale'"))
          .isZero();
      assertThat(
              target.count("SELECT count(*) FROM public.metrics WHERE device_id = 'before-from'"))
          .isEqualTo(1);
      assertThat(
              target.value(
                  "SELECT count(*) || ' ' || string_agg(DISTINCT device_id, ',')"
                      + " FROM public.metrics WHERE time >= '2023-05-26 00:00+00'"))
          .as("target rows at or after --until: only the dual-written ones")
          .isEqualTo("384 dual");
      assertThat(target.count("SELECT count(*) FROM public.metrics WHERE time < '2023-05-03'"))
          .as("rows before --from on the target (only the one written there)")
          .isEqualTo(1);
    }
  }

  @Test
  void everyTimeColumnTypeIsStagedWithItsOwnBounds() {
    sourceFixtureWithRestoredTarget("time-types");
    assertOk(stage("--filter", "^public\\.ts_plain$", "--until", "2024-01-03 12:00:00"));
    assertOk(
        stage("--filter", "^public\\.by_date$", "--from", "2024-01-10", "--until", "2024-02-05"));
    assertOk(stage("--filter", "^public\\.small$", "--from", "-120", "--until", "330"));
    assertOk(stage("--filter", "^public\\.medium$", "--until", "1500"));
    assertOk(stage("--filter", "^public\\.big$", "--from", "86400000", "--until", "500000000"));
    ToolRun copied = copy("-p", "4");
    assertOk(copied);

    assertSameRows("public.ts_plain", "time < '2024-01-03 12:00:00'");
    assertThat(
            target.count("SELECT count(*) FROM public.ts_plain WHERE time >= '2024-01-03 12:00'"))
        .isZero();
    assertSameRows("public.by_date", "day >= '2024-01-10' AND day < '2024-02-05'");
    assertThat(target.count("SELECT count(*) FROM public.by_date")).isEqualTo(26);
    assertSameRows("public.small", "t >= -120 AND t < 330");
    assertThat(target.count("SELECT count(*) FROM public.small")).isEqualTo(450);
    assertSameRows("public.medium", "t < 1500");
    assertThat(target.count("SELECT count(*) FROM public.medium WHERE t >= 1500")).isZero();
    assertSameRows("public.big", "t >= 86400000 AND t < 500000000");
    assertThat(target.count("SELECT count(*) FROM public.big WHERE t < 86400000 OR t >= 500000000"))
        .isZero();
  }

  @Test
  void negativeIntegerBoundsWork() {
    sourceFixtureWithFreshTarget("time-types");
    assertOk(stage("--filter", "^public\\.small$", "--until", "-100"));
    assertOk(copy("-p", "1"));
    assertSameRows("public.small", "t < -100");
    assertThat(target.count("SELECT count(*) FROM public.small")).isEqualTo(150);
  }

  @Test
  void spacePartitionedChunksAreConfinedToTheirPartition() {
    for (boolean restored : new boolean[] {true, false}) {
      if (!restored) {
        replacePair("space_fresh");
      }
      if (restored) {
        sourceFixtureWithRestoredTarget("space");
      } else {
        sourceFixtureWithFreshTarget("space");
      }
      // Stage the first day fully, then the second day up to noon (partial, every partition).
      assertOk(stage("--until", "2024-03-02T00:00:00Z"));
      ToolRun first = copyRouted("-p", "2");
      assertOk(first);
      assertThat(first.out()).contains(restored ? "(direct)" : "(routed)");
      assertOk(stage("--until", "2024-03-02T12:00:00Z"));
      // Dual-written rows after the cut-over on the target must survive.
      target.exec(
          "INSERT INTO public.spaced SELECT t, d, -1 FROM generate_series("
              + "'2024-03-02 12:00+00'::timestamptz, '2024-03-02 23:30+00', '30 minutes') t,"
              + " generate_series(1, 12) d");
      assertOk(copy("-p", "3"));
      assertSameRows("public.spaced", "time < '2024-03-02 12:00+00'");
      assertThat(
              target.count(
                  "SELECT count(*) FROM public.spaced WHERE time >= '2024-03-02 12:00+00'"))
          .isEqualTo(24 * 12);
      assertThat(taskCount("true")).isEqualTo(8);
    }
  }

  @Test
  void quotedIdentifiersAndEveryColumnTypeSurviveTheCopy() {
    sourceFixtureWithRestoredTarget("zoo", "textio");
    assertOk(stage("--filter", "^\"Zoo\"\\.\"Mixed Case\"$", "--until", "2024-04-03T00:00:00Z"));
    assertOk(stage("--filter", "acl_log", "--until", "2024-06-01T00:00:00Z"));
    ToolRun copied = copy("-p", "2");
    assertOk(copied);
    assertSameRows("\"Zoo\".\"Mixed Case\"", "\"Time\" < '2024-04-03 00:00+00'");
    assertThat(target.count("SELECT count(*) FROM \"Zoo\".\"Mixed Case\"")).isEqualTo(289);
    assertThat(target.value("SELECT t FROM \"Zoo\".\"Mixed Case\" WHERE \"select\" = 4"))
        .isEqualTo("tab\tnewline\nback\\slash");
    assertSameRows("public.acl_log", null);
  }

  @Test
  void stageRunsAccumulateAndRestagingIsANoop() {
    sourceFixtureWithRestoredTarget("metrics", "time-types");
    ToolRun first = stage("--filter", "^public\\.metrics$", "--until", "2023-05-11T00:00:00Z");
    assertOk(first);
    assertThat(taskCount("true")).isEqualTo(2);
    ToolRun second = stage("--filter", "^public\\.metrics$", "--until", "2023-06-01T00:00:00Z");
    assertOk(second);
    assertThat(second.out()).contains("2 chunks were staged already").contains("Staged 3 chunks");
    ToolRun third = stage("--filter", "^public\\.big$", "--until", "999999999");
    assertOk(third);
    assertThat(taskCount("true")).isEqualTo(12);
    assertThat(
            target.value(
                "SELECT string_agg(hypertable_name, ',' ORDER BY priority) FROM"
                    + " (SELECT DISTINCT ON (hypertable_name) hypertable_name, priority FROM __backfill.task"
                    + " ORDER BY hypertable_name, priority) x"))
        .as("later stage runs get later priorities")
        .isEqualTo("metrics,big");
    assertThat(
            target.value(
                "SELECT string_agg(chunk_name, ',' ORDER BY priority)"
                    + " FROM __backfill.task WHERE hypertable_name = 'metrics' AND priority <= 2"))
        .as("newest chunk first within a stage run")
        .isNotNull();
    ToolRun again =
        stage(
            "--filter",
            "^public\\.(metrics|big)$",
            "--until",
            "2023-06-01T00:00:00Z",
            "--from",
            "2023-05-01T00:00:00Z");
    // Integer and datetime hypertables in one run: the integer one cannot take a datetime bound.
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("public.big");
    assertThat(taskCount("true")).isEqualTo(12);
    assertOk(copy());
    assertSameRows("public.metrics", null);
    assertSameRows("public.big", null);
  }

  @Test
  void newestChunksAreStagedFirst() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    List<List<String>> rows =
        target.rows(
            "SELECT (dimensions->0->>'range_start')::bigint FROM __backfill.task ORDER BY priority");
    List<Long> starts = rows.stream().map(r -> Long.parseLong(r.get(0))).toList();
    assertThat(starts).isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void twoCopyProcessesShareTheWorkAndNeverCopyAChunkTwice() throws Exception {
    sourceFixtureWithRestoredTarget("space");
    assertOk(stage("--until", "2024-03-05T00:00:00Z"));
    long tasks = taskCount("true");
    assertThat(tasks).isEqualTo(16);
    CompletableFuture<ToolRun> a = CompletableFuture.supplyAsync(() -> copy("-p", "2"));
    CompletableFuture<ToolRun> b = CompletableFuture.supplyAsync(() -> copy("-p", "2"));
    ToolRun ra = a.get();
    ToolRun rb = b.get();
    // One of them may find nothing left to copy when it starts (exit 3); both never fail otherwise.
    int copiedA = copiedLines(ra);
    int copiedB = copiedLines(rb);
    assertThat(List.of(ra.exitCode(), rb.exitCode())).allMatch(c -> c == 0 || c == 3);
    assertThat(copiedA + copiedB)
        .as("chunks copied by both processes:\n%s\n%s", ra, rb)
        .isEqualTo(16);
    assertSameRows("public.spaced", null);
  }

  private static int copiedLines(ToolRun r) {
    return (int) r.out().lines().filter(l -> l.matches("(\\S+ )?\\[\\d+/\\d+] copied .*")).count();
  }

  @Test
  void aChunkThatVanishedFromTheSourceIsSkipped() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    String oldest =
        source.value(
            "SELECT format('%I.%I', chunk_schema, chunk_name)"
                + " FROM timescaledb_information.chunks ORDER BY range_start LIMIT 1");
    source.exec("DROP TABLE " + oldest);
    ToolRun copied = copy("-p", "2");
    assertOk(copied);
    assertThat(copied.out())
        .contains("skipped")
        .contains("disappeared from the source")
        .contains("1 skipped");
    assertThat(taskCount("worked IS NOT NULL")).isEqualTo(5);
    assertSameRows("public.metrics", null);
  }

  @Test
  void cleanIsIdempotent() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-05-05T00:00:00Z"));
    ToolRun refused = tool("clean", "--target", target.uri());
    assertThat(refused.exitCode()).as("chunks pending: %s", refused).isEqualTo(3);
    assertThat(target.exists("__backfill.task")).isTrue();
    ToolRun first = tool("clean", "--target", target.uri(), "--force");
    assertOk(first);
    assertThat(first.out()).contains("Removed");
    ToolRun second = tool("clean", "--target", target.uri());
    assertOk(second);
    assertThat(second.out()).contains("Nothing to remove");
  }

  @Test
  void stagingNothingSucceedsAndCopyThenSaysNothingIsPending() {
    ToolRun staged = stage("--until", "20160201");
    assertOk(staged);
    assertThat(staged.out()).contains("Staged 0 chunks").doesNotContain("Next:");
    assertThat(target.exists("__backfill.task")).isTrue();
    ToolRun copied = copy();
    assertOk(copied);
    assertThat(copied.out()).contains("Nothing to copy").doesNotContain("Next:");
  }
}
