package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;

/**
 * Bad inputs: each gives a clear one-line reason, a non-zero exit code, writes nothing to the
 * target, and never prints a password or a stack trace.
 */
class BadInputIT extends IntegrationTest {

  private void assertRejected(ToolRun run, int exitCode, String... mentions) {
    assertThat(run.exitCode()).as("exit code; output:\n%s", run).isEqualTo(exitCode);
    String firstLine = run.err().lines().findFirst().orElse("");
    assertThat(firstLine).as("first line of stderr:\n%s", run).startsWith("error: ");
    for (String m : mentions) {
      assertThat(firstLine).as("first line of stderr:\n%s", run).contains(m);
    }
    assertThat(run.all()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    assertThat(target.exists("__backfill.task")).as("__backfill on the target").isFalse();
  }

  @Test
  void unparsableUntil() {
    sourceFixtureWithRestoredTarget("metrics");
    assertRejected(stage("--until", "next tuesday-ish"), 2, "--until", "next tuesday-ish");
  }

  @Test
  void unparsableFrom() {
    sourceFixtureWithRestoredTarget("metrics");
    assertRejected(stage("--from", "2023-13-45", "--until", "2023-06-01"), 2, "--from");
  }

  @Test
  void fromNotBeforeUntil() {
    sourceFixtureWithRestoredTarget("metrics");
    assertRejected(
        stage("--from", "2023-06-01", "--until", "2023-05-01"), 2, "2023-06-01", "2023-05-01");
    assertRejected(stage("--from", "10", "--until", "10"), 2, "--from");
  }

  @Test
  void invalidRegex() {
    sourceFixtureWithRestoredTarget("metrics");
    assertRejected(
        stage("--filter", "metrics(", "--until", "2023-06-01"), 2, "--filter", "metrics(");
  }

  @Test
  void integerBoundsThatDoNotFitOrDoNotMatchTheType() {
    sourceFixtureWithRestoredTarget("time-types", "metrics");
    assertRejected(
        stage("--filter", "^public\\.small$", "--until", "70000"), 2, "public.small", "smallint");
    assertRejected(stage("--filter", "^public\\.metrics$", "--until", "7500"), 2, "public.metrics");
    assertRejected(stage("--filter", "^public\\.big$", "--until", "2023-01-01"), 2, "public.big");
  }

  @Test
  void unreachableHost() {
    ToolRun run =
        tool(
            "stage",
            "--source",
            "postgres://postgres:s3cr3t-pw@127.0.0.1:1/x",
            "--target",
            target.uri(),
            "--until",
            "2023-06-01");
    assertRejected(run, 4, "source");
    assertThat(run.all()).doesNotContain("s3cr3t-pw");
  }

  @Test
  void wrongPassword() {
    String uri =
        "postgres://backfill:wrong-pass-123@"
            + target.server().host()
            + ":"
            + target.server().port()
            + "/"
            + target.name()
            + "?sslmode=disable";
    ToolRun run = tool("stage", "--source", source.uri(), "--target", uri, "--until", "2023-06-01");
    assertRejected(run, 5, "target", "password authentication failed");
    assertThat(run.all()).doesNotContain("wrong-pass-123");
  }

  @Test
  void missingDatabase() {
    String uri =
        "host="
            + target.server().host()
            + " port="
            + target.server().port()
            + " user=postgres dbname=no_such_db_here password=kv-secret-9 sslmode=disable";
    ToolRun run = tool("stage", "--source", source.uri(), "--target", uri, "--until", "2023-06-01");
    assertRejected(run, 5, "target", "no_such_db_here");
    assertThat(run.all()).doesNotContain("kv-secret-9");
  }

  @Test
  void targetLacksTheHypertable() {
    source.fixture("metrics");
    assertRejected(stage("--until", "2023-06-01"), 3, "public.metrics", "not found in the target");
  }

  @Test
  void targetTableIsNotAHypertable() {
    source.fixture("metrics");
    target.exec(
        "CREATE TABLE public.metrics (time timestamptz NOT NULL, device_id text, val float8)");
    assertRejected(stage("--until", "2023-06-01"), 3, "public.metrics", "not a hypertable");
  }

  @Test
  void columnMismatchListsBothSides() {
    sourceFixtureWithRestoredTarget("metrics");
    target.exec("ALTER TABLE public.metrics ADD COLUMN extra bigint");
    ToolRun run = stage("--until", "2025-01-01 00:00:00");
    assertRejected(run, 3, "public.metrics", "source:", "target:", "extra bigint");
  }

  @Test
  void copyBeforeStage() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun run = copy();
    assertRejected(run, 3, "stage");
  }

  @Test
  void missingUntilAndUnknownCommandAreUsageErrors() {
    ToolRun noUntil = tool("stage", "--source", source.uri(), "--target", target.uri());
    assertThat(noUntil.exitCode()).isEqualTo(2);
    assertThat(noUntil.err()).contains("--until");
    ToolRun unknown = tool("backfill-everything");
    assertThat(unknown.exitCode()).isEqualTo(2);
    ToolRun badParallelism = copy("--parallelism", "many");
    assertThat(badParallelism.exitCode()).isEqualTo(2);
    ToolRun tooMany = copy("--parallelism", "256");
    assertThat(tooMany.exitCode()).isEqualTo(2);
    assertThat(target.exists("__backfill.task")).isFalse();
  }
}
