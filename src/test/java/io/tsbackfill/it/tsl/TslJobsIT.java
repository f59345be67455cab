package io.tsbackfill.it.tsl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.testbed.SqlScript;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Background jobs on the target, where policies exist: {@code stage} names every scheduled job
 * touching a staged hypertable or a continuous aggregate built on it, {@code --pause-jobs} pauses
 * them in the staging transaction and records them, {@code resume-jobs} and {@code clean
 * --resume-jobs} re-enable exactly those. The test server runs no background worker, so the {@code
 * scheduled} flag is what is checked.
 *
 * <p>Target jobs: retention on public.raw (R), refresh of public.hourly (H, a cagg on raw),
 * retention on public.monthly (M, raw -> hourly -> daily -> monthly), refresh of public.daily (D,
 * paused by the user beforehand), compression of other.raw (O, not staged).
 */
class TslJobsIT extends TslIntegrationTest {
  private static final String UNTIL = "2023-07-01T00:00:00Z";
  private static final String[] RAW_ONLY = {"--until", UNTIL, "-f", "^public\\.raw$"};

  private int r;
  private int h;
  private int m;
  private int d;
  private int o;

  private void jobsOnTheTarget() {
    SqlScript.run(source, "tsl-caggs");
    SqlScript.run(source, "tsl-caggs-data");
    offsetTargetIds();
    SqlScript.run(target, "tsl-caggs");
    r = job("SELECT add_retention_policy('public.raw', interval '5 years')");
    h =
        job(
            "SELECT add_continuous_aggregate_policy('public.hourly', start_offset => interval '1"
                + " month', end_offset => interval '1 hour', schedule_interval => interval '1"
                + " hour')");
    m = job("SELECT add_retention_policy('public.monthly', interval '10 years')");
    d =
        job(
            "SELECT add_continuous_aggregate_policy('public.daily', start_offset => interval '3"
                + " months', end_offset => interval '1 day', schedule_interval => interval '1"
                + " day')");
    target.value("SELECT job_id FROM alter_job(" + d + ", scheduled => false)");
    target.exec("ALTER TABLE other.raw SET (timescaledb.compress)");
    o = job("SELECT add_compression_policy('other.raw', interval '60 days')");
  }

  private int job(String add) {
    return Integer.parseInt(target.value(add));
  }

  private String scheduled(int job) {
    return target.value(
        "SELECT COALESCE((SELECT scheduled::text FROM timescaledb_information.jobs WHERE job_id = "
            + job
            + "), 'gone')");
  }

  /** Each job's scheduled flag, R H M D O. */
  private List<String> flags() {
    return List.of(scheduled(r), scheduled(h), scheduled(m), scheduled(d), scheduled(o));
  }

  private List<String> recorded() {
    return target.rows("SELECT job_id::text FROM __backfill.paused_job ORDER BY job_id").stream()
        .map(row -> row.get(0))
        .toList();
  }

  private static String named(String verb, int id) {
    return verb + " job " + id + " (";
  }

  @Test
  void stageWarnsPausesAndResumeJobsRestoresExactlyThose() throws Exception {
    jobsOnTheTarget();
    List<String> initial = List.of("true", "true", "true", "false", "true");
    assertThat(flags()).as("R H M D O before the test").isEqualTo(initial);

    // A dry run says what it would pause and changes nothing.
    ToolRun dry = stage(concat(RAW_ONLY, "--dry-run", "--pause-jobs"));
    assertOk(dry);
    assertThat(dry.err())
        .contains(named("Would pause", r))
        .contains(named("Would pause", h))
        .contains(named("Would pause", m))
        .doesNotContain("job " + d + " (")
        .doesNotContain("job " + o + " (");
    assertThat(flags()).as("after the dry run").isEqualTo(initial);
    assertThat(target.exists("__backfill.task")).isFalse();

    // Without --pause-jobs: one warning per job, named with what it touches; nothing paused.
    ToolRun warned = stage(RAW_ONLY);
    assertOk(warned);
    assertThat(warned.err())
        .contains("Warning: scheduled job " + r + " (")
        .containsPattern("job " + r + " \\([^)]*policy_retention\\) on public\\.raw ")
        .containsPattern(
            "job "
                + h
                + " \\([^)]*policy_refresh_continuous_aggregate\\) on public\\.hourly"
                + " \\(continuous aggregate\\)")
        .containsPattern("job " + m + " \\([^)]*\\) on public\\.monthly \\(continuous aggregate\\)")
        .doesNotContain("job " + d + " (")
        .doesNotContain("job " + o + " (");
    assertThat(warned.err().lines().filter(l -> l.startsWith("Warning: scheduled job")).count())
        .as("warning lines")
        .isEqualTo(3);
    assertThat(flags()).as("after stage without --pause-jobs").isEqualTo(initial);
    assertOk(clean());

    // --pause-jobs: paused with the tasks, recorded; the user's paused job is not recorded.
    ToolRun paused = stage(concat(RAW_ONLY, "--pause-jobs"));
    assertOk(paused);
    assertThat(paused.err())
        .contains(named("Paused", r))
        .contains(named("Paused", h))
        .contains(named("Paused", m));
    assertThat(flags()).isEqualTo(List.of("false", "false", "false", "false", "true"));
    assertThat(recorded()).containsExactlyInAnyOrder("" + r, "" + h, "" + m);
    assertThat(target.count("SELECT count(*) FROM __backfill.task")).isEqualTo(5);

    // Staging again finds nothing scheduled to pause and keeps the record.
    ToolRun again = stage(concat(RAW_ONLY, "--pause-jobs"));
    assertOk(again);
    assertThat(again.err()).contains("nothing paused");
    assertThat(recorded()).containsExactlyInAnyOrder("" + r, "" + h, "" + m);

    // Meanwhile the operator re-enables H and deletes M.
    target.value("SELECT job_id FROM alter_job(" + h + ", scheduled => true)");
    target.exec("SELECT delete_job(" + m + ")");

    ToolRun resumed = tool("resume-jobs", "--target", target.uri());
    assertOk(resumed);
    assertThat(resumed.out())
        .contains("Resumed job " + r + " (")
        .contains("Already scheduled again, left as it is: job " + h + " (")
        .contains("Gone since stage paused it: job " + m + " (")
        .contains("Resumed 1 job.")
        .doesNotContain("job " + d + " (");
    assertThat(flags()).isEqualTo(List.of("true", "true", "gone", "false", "true"));
    assertThat(recorded()).isEmpty();
    ToolRun twice = tool("resume-jobs", "--target", target.uri());
    assertOk(twice);
    assertThat(twice.out()).contains("Nothing to resume");

    // clean --resume-jobs resumes what stage paused, then drops the schema (JSON this time).
    ToolRun pausedJson = stage(concat(RAW_ONLY, "--pause-jobs", "--output", "json"));
    assertOk(pausedJson);
    JsonNode stageSummary = summary(pausedJson);
    assertThat(stageSummary.path("jobs_paused").asBoolean()).isTrue();
    assertThat(ids(stageSummary.path("jobs"))).containsExactly(r, h);
    assertThat(flags()).isEqualTo(List.of("false", "false", "gone", "false", "true"));
    ToolRun cleaned =
        tool("clean", "--target", target.uri(), "--resume-jobs", "--force", "--output", "json");
    assertOk(cleaned);
    assertThat(cleaned.err())
        .contains("Resumed job " + r + " (")
        .contains("Resumed job " + h + " (")
        .contains("Removed the __backfill schema");
    JsonNode cleanSummary = summary(cleaned);
    assertThat(ids(cleanSummary.path("resumed_jobs"))).containsExactly(r, h);
    assertThat(cleanSummary.path("resumed_jobs").get(0).path("outcome").asText())
        .isEqualTo("resumed");
    assertThat(flags()).isEqualTo(List.of("true", "true", "gone", "false", "true"));
    assertThat(target.exists("__backfill.task")).isFalse();

    // A plain clean says which jobs stay paused now that their record is gone.
    assertOk(stage(concat(RAW_ONLY, "--pause-jobs")));
    ToolRun plainClean = clean();
    assertOk(plainClean);
    assertThat(plainClean.err())
        .contains("job " + r + " (")
        .contains("job " + h + " (")
        .contains("stays paused");
    assertThat(flags()).isEqualTo(List.of("false", "false", "gone", "false", "true"));
  }

  @Test
  void aFailingStageLeavesTheJobsScheduled() {
    jobsOnTheTarget();
    target.exec("ALTER TABLE public.raw ADD COLUMN extra int");
    ToolRun failed = stage(concat(RAW_ONLY, "--pause-jobs"));
    assertThat(failed.exitCode()).as("%s", failed).isEqualTo(3);
    assertThat(flags()).isEqualTo(List.of("true", "true", "true", "false", "true"));
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  @Test
  void pausingFailsWithTheStagingTransaction() {
    jobsOnTheTarget();
    assertOk(stage("--until", UNTIL, "-f", "^other\\.raw$"));
    long tasks = target.count("SELECT count(*) FROM __backfill.task");
    // A record table that refuses every row: recording the first paused job fails, after the
    // task rows were inserted and the job paused, in the same transaction.
    target.exec(
        "CREATE TABLE __backfill.paused_job (job_id integer PRIMARY KEY CHECK (job_id < 0),"
            + " application_name text, proc text, touches text NOT NULL,"
            + " paused_at timestamptz NOT NULL DEFAULT now())");
    ToolRun failed = stage(concat(RAW_ONLY, "--pause-jobs"));
    assertThat(failed.exitCode()).as("%s", failed).isEqualTo(5);
    assertThat(failed.err()).contains("paused_job");
    assertThat(flags())
        .as("R H M D O after the failed stage")
        .isEqualTo(List.of("true", "true", "true", "false", "true"));
    assertThat(target.count("SELECT count(*) FROM __backfill.task")).isEqualTo(tasks);
  }

  private static JsonNode summary(ToolRun run) throws Exception {
    JsonNode found = null;
    for (String line : run.out().split("\n")) {
      JsonNode n = new ObjectMapper().readTree(line);
      if (n.path("event").asText().equals("summary")) {
        found = n;
      }
    }
    assertThat(found).as("summary event in %s", run).isNotNull();
    return found;
  }

  private static List<Integer> ids(JsonNode jobs) {
    List<Integer> out = new java.util.ArrayList<>();
    for (JsonNode j : jobs) {
      out.add(j.path("job_id").asInt());
    }
    return out;
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
