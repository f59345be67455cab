package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.DatabasePair;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.TestBed;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/** Base of integration tests: a fresh source/target database pair per test, and the tool. */
abstract class IntegrationTest {
  protected DatabasePair pair;
  protected TestDb source;
  protected TestDb target;

  protected TestBed testBed() {
    return TestBed.current();
  }

  @BeforeEach
  void createDatabases(TestInfo info) {
    pair =
        testBed()
            .freshPair(
                getClass().getSimpleName() + "_" + info.getTestMethod().orElseThrow().getName());
    source = pair.source();
    target = pair.target();
  }

  @AfterEach
  void dropDatabases() {
    if (pair != null) {
      pair.close();
    }
  }

  /** Drops this test's databases and goes on with a new pair, for a second scenario. */
  protected void replacePair(String name) {
    dropDatabases();
    pair = testBed().freshPair(name);
    source = pair.source();
    target = pair.target();
  }

  /** Runs a fixture on the source and restores its schema on the target, as the runbook does. */
  protected void sourceFixtureWithRestoredTarget(String... fixtures) {
    for (String f : fixtures) {
      source.fixture(f);
    }
    SchemaRestore.restore(source, target);
  }

  /** Runs fixtures on the source and creates the same hypertables, empty, on the target. */
  protected void sourceFixtureWithFreshTarget(String... fixtures) {
    for (String f : fixtures) {
      source.fixture(f);
      target.fixture(f);
    }
    for (List<String> h :
        target.rows(
            "SELECT format('%I.%I', hypertable_schema, hypertable_name)"
                + " FROM timescaledb_information.hypertables")) {
      target.exec("TRUNCATE " + h.get(0));
    }
    assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks"))
        .as("chunks on the fresh target after TRUNCATE")
        .isZero();
  }

  protected ToolRun tool(String... args) {
    return ToolRun.inProcess(args);
  }

  protected ToolRun stage(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("stage", "--source", source.uri(), "--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return tool(args.toArray(String[]::new));
  }

  protected ToolRun copy(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("copy", "--source", source.uri(), "--target", target.uri()));
    args.addAll(Arrays.asList(extra));
    return tool(args.toArray(String[]::new));
  }

  /**
   * A copy with its creation of missing target chunks off ({@code --create-chunks off}): at
   * parallelism > 1 on a fresh target its chunks take the routed path, as at parallelism 1.
   */
  protected ToolRun copyRouted(String... extra) {
    return copy(withArgs(extra, "--create-chunks", "off"));
  }

  /**
   * A copy that creates every missing target chunk before parallel workers start ({@code
   * --create-chunks on}), also the chunks under the 1 MB the default leaves to their copies (all of
   * the fixtures').
   */
  protected ToolRun copyCreatingChunks(String... extra) {
    return copy(withArgs(extra, "--create-chunks", "on"));
  }

  /** {@code args} followed by {@code more}. */
  protected static String[] withArgs(String[] args, String... more) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(Arrays.asList(more));
    return all.toArray(String[]::new);
  }

  protected static void assertOk(ToolRun run) {
    assertThat(run.exitCode()).as("exit code of the tool; its output:\n%s", run).isZero();
  }

  /** Both sides hold the same rows of {@code table} where {@code where} holds. */
  protected void assertSameRows(String table, String where) {
    String s = source.fingerprint(table, where);
    String t = target.fingerprint(table, where);
    assertThat(t)
        .as("target fingerprint (count:hash) of %s where %s; source has %s", table, where, s)
        .isEqualTo(s);
  }

  protected long taskCount(String where) {
    return target.count("SELECT count(*) FROM __backfill.task WHERE " + where);
  }
}
