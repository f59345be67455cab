package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;

/**
 * refresh-caggs on the Apache-licensed test bed, which can hold no continuous aggregates: a clear
 * note and success. The refreshes themselves are tested on the TSL servers (it/tsl).
 */
class RefreshCaggsIT extends IntegrationTest {

  @Test
  void withoutCaggsThereIsNothingToRefresh() {
    sourceFixtureWithRestoredTarget("metrics");
    ToolRun run =
        tool("refresh-caggs", "--source", source.uri(), "--target", target.uri(), "-f", "metrics");
    assertOk(run);
    assertThat(run.out())
        .contains("Nothing to refresh: the source has no continuous aggregates")
        .contains("Refreshed 0 continuous aggregates");
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  @Test
  void invalidFilterIsAUsageError() {
    ToolRun run =
        tool("refresh-caggs", "--source", source.uri(), "--target", target.uri(), "-f", "a{2,1}");
    assertThat(run.exitCode()).as("%s", run).isEqualTo(2);
    assertThat(run.err()).startsWith("error: invalid --filter 'a{2,1}'");
    assertThat(run.err().lines().count()).isEqualTo(1);
  }
}
