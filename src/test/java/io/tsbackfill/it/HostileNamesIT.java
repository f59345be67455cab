package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: schema, table and column names with quotes, spaces, semicolons, comment markers,
 * unicode and reserved words are staged, copied (directly and routed through the hypertable, also
 * space-partitioned) and verified; filters and bounds that look like SQL are data and do no harm.
 */
class HostileNamesIT extends IntegrationTest {
  private static final String WEIRD = "\"we\"\"ird; schema\".\"select; \"\"ünïcode\"\" tab\"";
  private static final String ORDER = "\"we\"\"ird; schema\".\"Order\"";
  private static final String UNTIL = "'2024-05-03 12:00+00'";

  @Test
  void hostileNamesAreCopiedAndVerifiedOnBothPaths() {
    sourceFixtureWithRestoredTarget("hostile");
    // "Order" loses its restored chunks on the target, so its rows are routed through the
    // hypertable; the other keeps them and is copied chunk to chunk.
    target.exec("TRUNCATE " + ORDER);

    ToolRun staged =
        stage(
            "--filter",
            "ird; schema\"\\.\"(select; \"\"ünïcode|Order)",
            "--until",
            "2024-05-03T12:00:00Z");
    assertOk(staged);
    assertThat(staged.out())
        .contains("\"we\"\"ird; schema\".\"select; \"\"ünïcode\"\" tab\"")
        .contains("\"we\"\"ird; schema\".\"Order\"");
    assertThat(taskCount("true")).isEqualTo(6 + 3);

    ToolRun copied = copyRouted("-p", "3");
    assertOk(copied);
    assertThat(copied.out()).contains("(direct)").contains("(routed)");
    assertVerifiedAndCopiedUntilTheBound();
    assertThat(target.count("SELECT count(*) FROM " + WEIRD)).isEqualTo(60 * 4);
    assertThat(target.exists("public.x")).isTrue();
    assertOk(tool("clean", "--target", target.uri()));
  }

  @Test
  void missingTargetChunksOfHostileNamesAreCreatedBeforeParallelWorkersStart() {
    sourceFixtureWithRestoredTarget("hostile");
    target.exec("TRUNCATE " + ORDER);
    assertOk(
        stage(
            "--filter",
            "ird; schema\"\\.\"(select; \"\"ünïcode|Order)",
            "--until",
            "2024-05-03T12:00:00Z"));

    ToolRun copied = copyCreatingChunks("-p", "3");
    assertOk(copied);
    // "Order" has no chunk on the target: direct means its three were created beforehand.
    assertThat(copied.out()).contains("(direct)").doesNotContain("(routed)");
    assertVerifiedAndCopiedUntilTheBound();
    assertThat(target.count("SELECT count(*) FROM " + ORDER + " WHERE time >= " + UNTIL))
        .as("rows of %s after --until on the target", ORDER)
        .isZero();
  }

  /** verify passes on all 9 chunks, and both hypertables hold the source's rows before --until. */
  private void assertVerifiedAndCopiedUntilTheBound() {
    ToolRun verified = tool("verify", "--source", source.uri(), "--target", target.uri());
    assertOk(verified);
    assertThat(verified.out()).contains("9 equal, 0 failed");
    assertSameRows(WEIRD, "\"ti\"\"me; --\" < " + UNTIL);
    assertSameRows(ORDER, "time < " + UNTIL);
  }

  @Test
  void filtersAndBoundsThatLookLikeSqlAreData() {
    source.fixture("hostile");
    target.exec("CREATE TABLE public.x (canary int)");
    for (String filter :
        new String[] {"'; DROP TABLE x; --", "$$; DROP TABLE x; $$", "\\'; DROP TABLE x; --"}) {
      ToolRun r = stage("--filter", filter, "--until", "2024-05-03T12:00:00Z");
      assertThat(r.exitCode()).as("a filter that matches nothing: %s", r).isEqualTo(3);
    }
    ToolRun badUntil = stage("--until", "2024-05-03'; DROP TABLE x; --");
    assertThat(badUntil.exitCode()).as(badUntil.toString()).isEqualTo(2);
    assertThat(badUntil.err()).startsWith("error: invalid --until '2024-05-03'; DROP TABLE x; --'");
    ToolRun badFrom = stage("--from", "1); DROP TABLE x; --", "--until", "2024-05-03T12:00:00Z");
    assertThat(badFrom.exitCode()).as(badFrom.toString()).isEqualTo(2);
    ToolRun badRegex = stage("--filter", "(; DROP TABLE x; --", "--until", "2024-05-03");
    assertThat(badRegex.exitCode()).as(badRegex.toString()).isEqualTo(2);

    assertThat(source.exists("public.x")).as("the source canary").isTrue();
    assertThat(target.exists("public.x")).as("the target canary").isTrue();
    assertThat(target.exists("__backfill.task")).as("nothing staged, nothing written").isFalse();
  }
}
