package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.task.TaskStore;
import io.tsbackfill.testbed.JarProcess;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.TestBed;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.InFlight;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * End to end on a big hypertable: {@code BACKFILL_IT_BIG_ROWS} rows (default 2,000,000; at least
 * 400,000 so that a chunk's COPY outlasts the test's reaction to it) in 8 daily chunks, the newest
 * cut by {@code --until} with the rows after the cut-over dual-written to the target. The built jar
 * copies it with two workers and is interrupted while chunks are in flight by one SIGINT, two
 * SIGINTs or one SIGTERM; it must exit 130 with the shutdown notices and a summary that matches the
 * task table, leave every chunk either wholly copied or untouched, and a second {@code copy} must
 * make the target exactly equal to the source. Each case runs on the direct path (target prepared
 * by the runbook's schema restore) and on the routed path (hypertable created fresh). The six cases
 * share one source database; each gets its own target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BigCopySignalsIT {
  private static final long ROWS = bigRows();
  private static final int CHUNKS = 8;
  private static final int WORKERS = 2;
  private static final String UNTIL = "2024-01-08T12:00:00Z";
  private static final String UNTIL_SQL = "'2024-01-08 12:00:00+00'::timestamptz";
  private static final String TABLE = "public.big_metrics";
  private static final String DUAL = "dual-written";
  private static final Duration TIMEOUT = Duration.ofSeconds(120 + ROWS / 10_000);

  private static final Pattern PROGRESS =
      Pattern.compile(
          "^(?:\\S+ )?\\[(\\d+)/(\\d+)] copied \\S+ \\[[^)]*\\) (\\S+)(?: -> \\S+)?"
              + " \\((direct|routed)\\): ([\\d,]+) rows, .*");
  private static final Pattern SUMMARY =
      Pattern.compile("^Copied (\\d+) chunks? \\(([\\d,]+) rows, .*");

  /** How the copy is interrupted. */
  enum Interruption {
    ONE_SIGINT("INT", 1),
    TWO_SIGINTS("INT", 2),
    ONE_SIGTERM("TERM", 1);

    final String signal;
    final int count;

    Interruption(String signal, int count) {
      this.signal = signal;
      this.count = count;
    }
  }

  /** A source chunk and what the tool must copy of it: rows from start until min(end, --until). */
  private record Region(String chunk, String from, String until) {}

  private TestBed bed;
  private TestDb source;
  private final Map<String, Region> regions = new LinkedHashMap<>();
  private Map<String, String> sourceRegions;
  private String sourceFingerprint;

  private static long bigRows() {
    String v = System.getenv("BACKFILL_IT_BIG_ROWS");
    long rows = v == null || v.isBlank() ? 2_000_000 : Long.parseLong(v.strip());
    if (rows < 400_000) {
      throw new IllegalArgumentException(
          "BACKFILL_IT_BIG_ROWS must be at least 400000 (chunks must take longer to copy than"
              + " the test takes to send a signal), not "
              + rows);
    }
    return rows;
  }

  @BeforeAll
  void createTheBigSource() {
    long t0 = System.nanoTime();
    bed = TestBed.current();
    source = bed.freshDb(bed.source(), "BigCopySignalsIT_source");
    source.exec("ALTER DATABASE \"" + source.name() + "\" SET backfill.big_rows = '" + ROWS + "'");
    source.fixture("big-metrics");
    source.fixture("big-metrics-rows");
    for (List<String> c :
        source.rows(
            "SELECT chunk_schema || '.' || chunk_name, range_start,"
                + " least(range_end, "
                + UNTIL_SQL
                + ")"
                + " FROM timescaledb_information.chunks WHERE hypertable_name = 'big_metrics'"
                + " ORDER BY range_start")) {
      regions.put(c.get(0), new Region(c.get(0), c.get(1), c.get(2)));
    }
    sourceRegions = regionFingerprints(source);
    assertThat(regions).as("source chunks of %s", TABLE).hasSize(CHUNKS);
    sourceFingerprint = source.fingerprint(TABLE, null);
    assertThat(sourceFingerprint).startsWith(ROWS + ":");
    System.out.printf(
        "[BigCopySignalsIT] source: %,d rows in %d chunks generated in %.1f s%n",
        ROWS, CHUNKS, seconds(t0));
  }

  @AfterAll
  void dropTheBigSource() {
    if (source != null) {
      source.close();
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String path : List.of("direct", "routed")) {
      for (Interruption how : Interruption.values()) {
        cases.add(Arguments.of(path, how));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} path, {1}")
  @MethodSource("cases")
  void interruptedCopyResumesToAnExactCopy(String path, Interruption how) throws Exception {
    long t0 = System.nanoTime();
    try (TestDb target = bed.freshDb(bed.target(), "BigCopySignalsIT_" + path + "_" + how)) {
      prepareTarget(target, path);
      JarProcess.Result staged =
          JarProcess.run(
              TIMEOUT,
              List.of(
                  "stage", "--source", source.uri(), "--target", target.uri(), "--until", UNTIL));
      assertThat(staged.exitCode()).as("stage: %s", staged).isZero();
      assertThat(staged.output())
          .contains("Staged " + CHUNKS + " chunks")
          .contains("1 cut by a bound");
      double prepared = seconds(t0);

      long t1 = System.nanoTime();
      // Routed: the chunks missing on the target are left to the copies that write into them.
      Map<String, String> env =
          path.equals("routed") ? Map.of("BACKFILL_CREATE_CHUNKS", "off") : Map.of();
      Interrupted run = copyAndInterrupt(target, how, env);
      double interrupted = seconds(t1);
      assertInterruptedRun(run, how);
      assertNoChunkIsHalfCopied(target, path);

      long t2 = System.nanoTime();
      JarProcess.Result resumed = JarProcess.run(TIMEOUT, env, copyArgs(target));
      double resumedIn = seconds(t2);
      int left = CHUNKS - run.done;
      assertThat(resumed.exitCode()).as("resumed copy: %s", resumed).isZero();
      assertThat(resumed.output())
          .contains("Copying " + left + " pending chunk" + (left == 1 ? "" : "s"))
          .doesNotContain("Interrupted");
      assertThat(progressLines(resumed.lines()))
          .as("progress lines of the resumed copy")
          .hasSize(left);
      assertThat(summaryChunks(resumed.lines())).isEqualTo(left);

      assertThat(target.count("SELECT count(*) FROM __backfill.task WHERE worked IS NULL"))
          .as("tasks still pending after the resume")
          .isZero();
      assertThat(target.fingerprint(TABLE, null))
          .as(
              "target fingerprint (count:hash) of the whole table; the source has %s",
              sourceFingerprint)
          .isEqualTo(sourceFingerprint);
      assertPaths(target, path);
      System.out.printf(
          "[BigCopySignalsIT] %s path, %s: target prepared and staged in %.1f s; interrupted run"
              + " %.1f s (%d of %d chunks done, exit %d); resumed %d chunks in %.1f s; case %.1f"
              + " s%n",
          path,
          how,
          prepared,
          interrupted,
          run.done,
          CHUNKS,
          run.result.exitCode(),
          left,
          resumedIn,
          seconds(t0));
    }
  }

  /** What an interrupted run printed, and where the test sent its signals. */
  private record Interrupted(
      JarProcess.Result result, int progressBeforeSignal, String triggeringChunk, int done) {}

  private Interrupted copyAndInterrupt(TestDb target, Interruption how, Map<String, String> env) {
    List<String> args = new ArrayList<>(copyArgs(target));
    try (JarProcess p = JarProcess.start(env, args)) {
      // The moments to signal, read from the target: a chunk committed, then a further chunk
      // held by a worker (the task's in-flight lock, as status sees it) whose COPY runs.
      long end = System.nanoTime() + TIMEOUT.toNanos();
      while (target.count("SELECT count(*) FROM __backfill.task WHERE worked IS NOT NULL") == 0
          && System.nanoTime() < end) {
        sleep(25);
      }
      Optional<InFlight> started =
          ToolBackends.awaitInFlight(
              target,
              TaskStore.COPY_LOCK,
              InFlight::inCopy,
              Duration.ofNanos(Math.max(0, end - System.nanoTime())));
      assertThat(started)
          .as("a further chunk in COPY; output so far: %s", p.linesSoFar())
          .isPresent();
      int progressBefore = progressLines(p.linesSoFar()).size();
      p.signal(how.signal);
      if (how.count == 2) {
        p.await("the shutdown notice", l -> l.startsWith("Shutting down"), Duration.ofSeconds(30));
        p.signal(how.signal);
      }
      JarProcess.Result r = p.finish(TIMEOUT);
      return new Interrupted(r, progressBefore, started.get().chunk(), summaryChunks(r.lines()));
    }
  }

  private void assertInterruptedRun(Interrupted run, Interruption how) {
    JarProcess.Result r = run.result;
    assertThat(r.exitCode()).as("exit code of the interrupted copy; %s", r).isEqualTo(130);
    assertThat(r.output())
        .as("output of the interrupted copy")
        .contains("Copying " + CHUNKS + " pending chunks")
        .contains("with " + WORKERS + " workers")
        .contains("Shutting down: waiting for the chunks in progress to finish")
        .contains("Interrupted: run copy again to resume")
        .doesNotContain("Next: timescaledb-backfill verify")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    List<Matcher> progress = progressLines(r.lines());
    List<String> copiedChunks = progress.stream().map(m -> unquote(m.group(3))).toList();
    long printedRows =
        progress.stream().mapToLong(m -> Long.parseLong(m.group(5).replace(",", ""))).sum();
    assertThat(run.done)
        .as("chunks in the summary vs progress lines; %s", r)
        .isEqualTo(progress.size());
    assertThat(summaryRows(r.lines())).as("rows in the summary").isEqualTo(printedRows);
    assertThat(run.done).as("chunks copied: the stop must leave some").isLessThan(CHUNKS);
    if (how.count == 1) {
      assertThat(r.output()).doesNotContain("Stopping at once");
      assertThat(copiedChunks)
          .as("the chunk whose COPY had started when the signal came is finished; %s", r)
          .contains(run.triggeringChunk);
      assertThat(run.done)
          .as("chunks copied: those before the signal and those in flight, no new ones; %s", r)
          .isGreaterThan(run.progressBeforeSignal)
          .isLessThanOrEqualTo(run.progressBeforeSignal + 2 * WORKERS);
    } else {
      assertThat(r.output()).contains("Stopping at once: the chunks in progress are rolled back");
      assertThat(copiedChunks)
          .as("the chunk whose COPY had started when the signals came is rolled back; %s", r)
          .doesNotContain(run.triggeringChunk);
      assertThat(run.done).isLessThanOrEqualTo(run.progressBeforeSignal + WORKERS);
    }
  }

  /**
   * Task rows against target data: a chunk marked copied holds exactly the source's rows of its
   * range, a pending one none at all; the dual-written rows after the cut-over are untouched.
   */
  private void assertNoChunkIsHalfCopied(TestDb target, String path) {
    Map<String, Boolean> worked = new LinkedHashMap<>();
    for (List<String> t :
        target.rows(
            "SELECT chunk_schema || '.' || chunk_name, worked IS NOT NULL FROM __backfill.task")) {
      worked.put(t.get(0), t.get(1).equals("t"));
    }
    assertThat(worked.keySet()).containsExactlyInAnyOrderElementsOf(regions.keySet());
    Map<String, String> there = regionFingerprints(target);
    for (Region region : regions.values()) {
      if (worked.get(region.chunk)) {
        assertThat(there.get(region.chunk))
            .as(
                "target rows of copied chunk %s (%s path); the source has %s",
                region.chunk, path, sourceRegions.get(region.chunk))
            .isEqualTo(sourceRegions.get(region.chunk));
      } else {
        assertThat(there.get(region.chunk))
            .as("target rows of pending chunk %s (%s path)", region.chunk, path)
            .isEqualTo("0:0");
      }
    }
    assertThat(there.get(DUAL))
        .as("dual-written target rows at or after --until")
        .isEqualTo(sourceRegions.get(DUAL));
  }

  /**
   * Fingerprints (count:hash, as {@link TestDb#fingerprint}) of each source chunk's region and of
   * the dual-written rows ({@link #DUAL}), in one pass over the table.
   */
  private Map<String, String> regionFingerprints(TestDb db) {
    StringBuilder ranges = new StringBuilder("('" + DUAL + "', " + UNTIL_SQL + ", 'infinity')");
    for (Region r : regions.values()) {
      ranges
          .append(", ('")
          .append(r.chunk)
          .append("', '")
          .append(r.from)
          .append("', '")
          .append(r.until)
          .append("')");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (List<String> row :
        db.rows(
            "SELECT r.name, count(t.time) || ':' || COALESCE(sum(hashtext(t::text)::bigint), 0)"
                + " FROM (VALUES "
                + ranges
                + ") AS r(name, lo, hi)"
                + " LEFT JOIN "
                + TABLE
                + " t ON t.time >= r.lo::timestamptz"
                + " AND t.time < r.hi::timestamptz GROUP BY r.name")) {
      out.put(row.get(0), row.get(1));
    }
    return out;
  }

  /**
   * Direct path: every chunk exists on the restored target. Routed: none does, except the newest,
   * which the dual-written rows created with the same slice.
   */
  private void assertPaths(TestDb target, String path) {
    String newest = regions.keySet().stream().reduce((a, b) -> b).orElseThrow();
    for (List<String> t :
        target.rows("SELECT chunk_schema || '.' || chunk_name, copy_path FROM __backfill.task")) {
      String expected = path.equals("direct") || t.get(0).equals(newest) ? "direct" : "routed";
      assertThat(t.get(1)).as("copy path of %s", t.get(0)).isEqualTo(expected);
    }
  }

  private void prepareTarget(TestDb target, String path) throws SQLException, IOException {
    if (path.equals("direct")) {
      SchemaRestore.restore(source, target);
      assertThat(target.count("SELECT count(*) FROM timescaledb_information.chunks"))
          .isEqualTo(CHUNKS);
    } else {
      target.fixture("big-metrics");
    }
    dualWrite(target);
  }

  /** The application writes the rows after the cut-over to both sides: copy them over. */
  private void dualWrite(TestDb target) throws SQLException, IOException {
    String select = "SELECT * FROM " + TABLE + " WHERE time >= " + UNTIL_SQL;
    ByteArrayOutputStream rows = new ByteArrayOutputStream();
    try (Connection s = source.connect();
        Connection t = target.connect()) {
      s.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyOut("COPY (" + select + ") TO STDOUT (FORMAT binary)", rows);
      long n =
          t.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "COPY " + TABLE + " FROM STDIN (FORMAT binary)",
                  new ByteArrayInputStream(rows.toByteArray()));
      assertThat(n).as("dual-written rows").isPositive();
    }
  }

  private List<String> copyArgs(TestDb target) {
    return List.of(
        "copy",
        "--source",
        source.uri(),
        "--target",
        target.uri(),
        "-p",
        Integer.toString(WORKERS));
  }

  private static List<Matcher> progressLines(List<String> lines) {
    return lines.stream().map(PROGRESS::matcher).filter(Matcher::matches).toList();
  }

  private static int summaryChunks(List<String> lines) {
    return Integer.parseInt(summary(lines).group(1));
  }

  private static long summaryRows(List<String> lines) {
    return Long.parseLong(summary(lines).group(2).replace(",", ""));
  }

  private static Matcher summary(List<String> lines) {
    return lines.stream()
        .map(SUMMARY::matcher)
        .filter(Matcher::matches)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no summary line in:\n" + String.join("\n", lines)));
  }

  /** {@code "schema"."name"} as the tool prints it -> {@code schema.name}. */
  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String unquote(String qname) {
    return qname.replace("\"", "");
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
