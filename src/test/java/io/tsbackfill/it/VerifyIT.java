package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** verify after stage + copy: clean copies pass, every kind of difference is found and named. */
class VerifyIT extends IntegrationTest {

  private ToolRun verify(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("verify", "--source", source.uri(), "--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return tool(args.toArray(String[]::new));
  }

  /** The source chunk holding the metrics row at {@code time}, as verify names it. */
  private String sourceChunkAt(String time) {
    return source.value(
        "SELECT format('%I.%I', c.relnamespace::regnamespace::text, c.relname)"
            + " FROM public.metrics m JOIN pg_class c ON c.oid = m.tableoid"
            + " WHERE m.time = '"
            + time
            + "' LIMIT 1");
  }

  /** The line of a chunk of public.metrics that failed verification with {@code reason}. */
  private static String failed(String chunk, String reason) {
    return "FAILED public\\.metrics \\[\\S+, \\S+\\) "
        + java.util.regex.Pattern.quote(chunk)
        + ": "
        + reason;
  }

  @Test
  void aCleanCopyVerifiesOnBothPaths() {
    sourceFixtureWithRestoredTarget("metrics", "zoo");
    assertOk(stage("--until", "2030-01-01T00:00:00Z"));
    assertOk(copy("-p", "2"));
    ToolRun verified = verify("-p", "2");
    assertOk(verified);
    long chunks = taskCount("true");
    assertThat(verified.out())
        .contains("Verifying " + chunks + " copied chunks")
        .containsPattern("verified public\\.metrics \\[\\S+, \\S+\\) _timescaledb_internal\\.")
        .contains(chunks + " equal, 0 failed")
        .contains("Next: timescaledb-backfill clean");
    assertThat(taskCount("verified IS NOT NULL AND verify_message LIKE 'verified %'"))
        .isEqualTo(chunks);

    ToolRun again = verify();
    assertThat(again.exitCode()).as("%s", again).isEqualTo(3);
    assertThat(again.err()).contains("every copied chunk is verified already");

    dropDatabases();
    pair = testBed().freshPair("VerifyIT_routed");
    source = pair.source();
    target = pair.target();
    sourceFixtureWithFreshTarget("metrics", "zoo");
    assertOk(stage("--until", "2030-01-01T00:00:00Z"));
    assertThat(copyRouted("-p", "2").out()).contains("(routed)");
    ToolRun routed = verify("-p", "2");
    assertOk(routed);
    assertThat(routed.out()).contains("verified ").contains(" equal, 0 failed");
  }

  @Test
  void aChangedValueAMissingRowAndAnExtraRowAreEachFoundAndNamed() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertOk(copy("-p", "2"));
    String changed = sourceChunkAt("2023-05-02 10:00+00");
    String missing = sourceChunkAt("2023-05-10 10:00+00");
    String extra = sourceChunkAt("2023-05-20 10:00+00");
    assertThat(List.of(changed, missing, extra)).doesNotHaveDuplicates();
    target.exec(
        "UPDATE public.metrics SET device_id = 'X' WHERE time = '2023-05-02 10:00+00' AND device_id = '1';"
            + "DELETE FROM public.metrics WHERE time = '2023-05-10 10:00+00' AND device_id = '2';"
            + "INSERT INTO public.metrics VALUES ('2023-05-20 10:30+00', '1', 7.25)");

    ToolRun verified = verify("-p", "2");
    assertThat(verified.exitCode()).as("%s", verified).isEqualTo(6);
    String out = verified.out();
    assertThat(out)
        .containsPattern(failed(changed, "1 difference from " + changed))
        .contains("max(\"device_id\"): source 2, target X")
        .containsPattern(failed(missing, "\\d differences from " + missing))
        .containsPattern(failed(extra, "\\d differences from " + extra))
        .contains("2 equal, 3 failed")
        .doesNotContain("Next: timescaledb-backfill clean");
    // The missing row shows in the row count and every column's count; the extra one too.
    assertThat(out)
        .contains("rows: source 336, target 335")
        .contains("rows: source 336, target 337");
    assertThat(out).containsPattern("count\\(\"val\"\\): source \\d+, target \\d+");
    assertThat(taskCount("verified IS NULL AND verify_message LIKE '%difference%'")).isEqualTo(3);
    assertThat(taskCount("verified IS NOT NULL")).isEqualTo(2);

    // Failed chunks are not done: the next verify checks exactly them again.
    ToolRun again = verify();
    assertThat(again.exitCode()).isEqualTo(6);
    assertThat(again.out()).contains("Verifying 3 copied chunks").contains("0 equal, 3 failed");

    // Repaired on the target, they verify.
    target.exec(
        "UPDATE public.metrics SET device_id = '1' WHERE device_id = 'X';"
            + "DELETE FROM public.metrics WHERE time = '2023-05-20 10:30+00';");
    target.exec(
        "INSERT INTO public.metrics SELECT * FROM (VALUES ('2023-05-10 10:00+00'::timestamptz, '2',"
            + " "
            + source.value(
                "SELECT val FROM public.metrics WHERE time = '2023-05-10 10:00+00' AND device_id = '2'")
            + "::float8)) v");
    ToolRun repaired = verify();
    assertOk(repaired);
    assertThat(repaired.out()).contains("3 equal, 0 failed");
    assertThat(taskCount("verified IS NULL")).isZero();
  }

  @Test
  void floatSumsWithinTheRoundingToleranceMatchAndBeyondItDiffer() {
    sourceFixtureWithRestoredTarget("metrics");
    // Values whose sum depends on the order of addition: 1e16 - 1e16 + 1 is 1, 1 - 1e16 + 1e16 is
    // 0.
    source.exec(
        "CREATE TABLE public.floats (time timestamptz NOT NULL, v float8, r real);"
            + "SELECT create_hypertable('public.floats', 'time');");
    target.exec(
        "CREATE TABLE public.floats (time timestamptz NOT NULL, v float8, r real);"
            + "SELECT create_hypertable('public.floats', 'time');");
    source.exec(
        "INSERT INTO public.floats SELECT '2023-05-01'::timestamptz + i * interval '1 minute',"
            + " CASE i % 3 WHEN 0 THEN 1e16 WHEN 1 THEN -1e16 ELSE 1.0 END, i / 3.0"
            + " FROM generate_series(0, 299) i");
    assertOk(stage("--until", "2023-06-01T00:00:00Z", "--filter", "floats"));
    assertOk(copy("-p", "1"));
    // Store the target rows in the reverse order, so its sums add in another order.
    target.exec(
        "CREATE TABLE public.tmp AS SELECT * FROM public.floats ORDER BY time DESC;"
            + "TRUNCATE public.floats; INSERT INTO public.floats SELECT * FROM public.tmp;"
            + "DROP TABLE public.tmp;");
    String sumS = source.value("SELECT sum(v) FROM public.floats");
    String sumT = target.value("SELECT sum(v) FROM public.floats");
    assertThat(sumT).as("the two sides sum the same values in different orders").isNotEqualTo(sumS);

    ToolRun verified = verify();
    assertOk(verified);
    assertThat(verified.out()).contains("1 equal, 0 failed");

    // A real change of a float that is neither min nor max is found by its sum.
    target.exec("UPDATE __backfill.task SET verified = NULL");
    target.exec(
        "UPDATE public.floats SET v = 1e12 WHERE time = '2023-05-01'::timestamptz + interval '5 minutes'");
    ToolRun changed = verify();
    assertThat(changed.exitCode()).as("%s", changed).isEqualTo(6);
    assertThat(changed.out())
        .containsPattern("sum\\(\"v\"\\): source .*, target .* \\(differ by .*tolerance");
  }

  @Test
  void aPartialChunkWithDualWrittenRowsBeyondUntilVerifiesClean() {
    sourceFixtureWithRestoredTarget("metrics");
    // The application writes rows from the cut-over on to both sides.
    String dualWritten =
        "INSERT INTO public.metrics SELECT t, '3', 42.5 FROM generate_series("
            + "'2023-05-20 12:00+00'::timestamptz, '2023-05-21 12:00+00', '30 minutes') t";
    source.exec(dualWritten);
    target.exec(dualWritten);
    assertOk(stage("--until", "2023-05-20T12:00:00Z", "--from", "2023-05-03T06:00:00Z"));
    assertOk(copy("-p", "2"));
    ToolRun verified = verify("-p", "2");
    assertOk(verified);
    assertThat(verified.out()).contains(" equal, 0 failed");
    assertThat(taskCount("filter IS NOT NULL AND verified IS NOT NULL")).isEqualTo(2);

    // A stale row inside the staged range on the target is not hidden by the filter.
    target.exec("INSERT INTO public.metrics VALUES ('2023-05-20 11:00+00', '9', 1)");
    target.exec("UPDATE __backfill.task SET verified = NULL");
    ToolRun stale = verify();
    assertThat(stale.exitCode()).isEqualTo(6);
    assertThat(stale.out()).contains("max(\"device_id\"): source 2, target 9");
  }

  @Test
  void oneHundredTwentyColumnsOfManyTypesAreCompared() {
    sourceFixtureWithRestoredTarget("wide");
    assertOk(stage("--until", "2030-01-01T00:00:00Z"));
    assertOk(copy("-p", "2"));
    ToolRun verified = verify("-p", "2");
    assertOk(verified);
    assertThat(verified.out()).contains("3 equal, 0 failed");

    // Counts for types without min/max/sum (jsonb, arrays, enums, booleans) still catch NULLs.
    target.exec("UPDATE __backfill.task SET verified = NULL");
    target.exec(
        "UPDATE public.wide SET c097 = c097 + 1, c118 = NULL, c120 = NULL"
            + " WHERE time = '2024-01-02 00:00+00' AND c118 IS NOT NULL");
    ToolRun changed = verify();
    assertThat(changed.exitCode()).as("%s", changed).isEqualTo(6);
    assertThat(changed.out())
        .contains("1 failed")
        .containsPattern("sum\\(\"c097\"\\): source \\d+, target \\d+")
        .containsPattern("count\\(\"c118\"\\): source \\d+, target \\d+")
        .containsPattern("count\\(\"c120\"\\): source \\d+, target \\d+");
  }

  @Test
  void missingChunksOnEitherSideFail() {
    sourceFixtureWithRestoredTarget("metrics");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    assertOk(copy("-p", "2"));
    String gone = sourceChunkAt("2023-05-02 10:00+00");
    String dropped = sourceChunkAt("2023-05-20 10:00+00");
    source.exec("DROP TABLE " + gone);
    target.exec("DROP TABLE " + dropped);
    ToolRun verified = verify();
    assertThat(verified.exitCode()).as("%s", verified).isEqualTo(6);
    assertThat(verified.out())
        .containsPattern(failed(gone, "the source chunk no longer exists"))
        .containsPattern(failed(dropped, "its target chunk does not exist"))
        .contains("3 equal, 2 failed");
  }

  @Test
  void verifyBeforeStageOrCopyIsABadState() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun before = verify();
    assertThat(before.exitCode()).isEqualTo(3);
    assertThat(before.err()).contains("no __backfill schema");
    assertOk(stage("--until", "2023-06-01T00:00:00Z"));
    ToolRun notCopied = verify();
    assertThat(notCopied.exitCode()).isEqualTo(3);
    assertThat(notCopied.err()).contains("5 staged chunks are not copied yet");
    assertThat(taskCount("verify_message IS NOT NULL")).isZero();
  }
}
