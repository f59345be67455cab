package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code stage --filter} with {@code --cascade-up} / {@code --cascade-down} over continuous
 * aggregates: public.raw -> hourly -> daily -> monthly, the sibling raw_max on raw, and other.raw
 * -> other.daily. The filter matches hypertables and cagg views; a staged cagg is its
 * materialization hypertable's chunks, staged with the target's materialization hypertable of the
 * cagg with the same view (the internal names differ between the two sides here).
 */
class TslCaggStageIT extends TslIntegrationTest {
  private static final long RAW = 5; // May 2023 in 7-day chunks; every cagg has one chunk

  @Test
  void filterAndCascadeMatrix() {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    offsetTargetIds();
    SqlScript.run(target, "tsl-caggs");
    assertThat(materialization(target, "public", "daily"))
        .as(
            "target materialization hypertable of public.daily (source: %s)",
            materialization(source, "public", "daily"))
        .isNotEqualTo(materialization(source, "public", "daily"));

    Map<String, Map<String, Long>> cases = new LinkedHashMap<>();
    Map<String, Map<String, Long>> expected = new LinkedHashMap<>();
    expect(
        expected,
        "",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1,
        "public.monthly",
        1,
        "public.raw_max",
        1,
        "other.raw",
        RAW,
        "other.daily",
        1);
    expect(
        expected,
        "--cascade-up --cascade-down",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1,
        "public.monthly",
        1,
        "public.raw_max",
        1,
        "other.raw",
        RAW,
        "other.daily",
        1);
    expect(expected, "-f ^public\\.raw$", "public.raw", RAW);
    expect(expected, "-f ^public\\.raw$ -D", "public.raw", RAW);
    expect(expected, "-f ^(public|other)\\.raw$", "public.raw", RAW, "other.raw", RAW);
    expect(expected, "-f ^public\\.daily$", "public.daily", 1);
    expect(expected, "-f ^(public|other)\\.daily$", "public.daily", 1, "other.daily", 1);
    expect(expected, "-f ^other\\.", "other.raw", RAW, "other.daily", 1);
    expect(expected, "-f PUBLIC\\.HOURLY|raw_max", "public.hourly", 1, "public.raw_max", 1);
    expect(
        expected,
        "-f ^public\\.raw$ -U",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1,
        "public.monthly",
        1,
        "public.raw_max",
        1);
    expect(
        expected,
        "-f ^public\\.hourly$ -U",
        "public.hourly",
        1,
        "public.daily",
        1,
        "public.monthly",
        1);
    expect(
        expected,
        "-f ^public\\.daily$ -D",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1);
    expect(
        expected,
        "-f ^public\\.daily$ -U -D",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1,
        "public.monthly",
        1);
    expect(
        expected,
        "-f ^public\\.monthly$ -D",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1,
        "public.monthly",
        1);
    expect(expected, "-f ^public\\.monthly$ -U", "public.monthly", 1);
    expect(
        expected,
        "-f ^(public|other)\\.daily$ -D",
        "public.raw",
        RAW,
        "public.hourly",
        1,
        "public.daily",
        1,
        "other.raw",
        RAW,
        "other.daily",
        1);
    expect(expected, "-f ^other\\.daily$ -U", "other.daily", 1);

    for (String flags : expected.keySet()) {
      List<String> args = new ArrayList<>(List.of("--until", "2023-07-01T00:00:00Z"));
      if (!flags.isEmpty()) {
        args.addAll(Arrays.asList(flags.split(" ")));
      }
      ToolRun staged = stage(args.toArray(String[]::new));
      assertOk(staged);
      long total = expected.get(flags).values().stream().mapToLong(Long::longValue).sum();
      assertThat(staged.out()).as("stage %s", flags).contains("Staged " + total + " chunk");
      cases.put(flags, tasksPerObject());
      assertOk(clean());
    }
    assertThat(cases).isEqualTo(expected);
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks"))
        .as("target chunks created by the first stage, none twice")
        .isEqualTo(2 * RAW + 5);
  }

  @Test
  void caggMissingOnTheTargetIsASchemaProblemAndNothingIsWritten() {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    SqlScript.run(target, "tsl-caggs");
    target.exec("DROP MATERIALIZED VIEW public.monthly");

    ToolRun staged = stage("--until", "2023-07-01T00:00:00Z", "-f", "^public\\.daily$", "-U");
    assertThat(staged.exitCode()).as("exit code; output:\n%s", staged).isEqualTo(3);
    assertThat(staged.err())
        .contains("continuous aggregate public.monthly is not found in the target");
    assertThat(staged.err()).doesNotContain("public.daily is not found").doesNotContain("\tat ");
    assertThat(target.exists("__backfill.task")).isFalse();
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks")).isZero();
  }

  private static void expect(Map<String, Map<String, Long>> into, String flags, Object... pairs) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], ((Number) pairs[i + 1]).longValue());
    }
    into.put(flags, m);
  }
}
