package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ProxyPair;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import io.tsbackfill.testbed.TslTestBed;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Round trips per chunk, counted by a proxy in front of each server: over a real network each one
 * costs the latency once per chunk. A worker waits for its source and its target connection in
 * turn, so their round trips add up; the target's ANALYZE runs on a connection of its own, off the
 * chunk's path, and is not counted. Per chunk is the difference between a run over 30 chunks and
 * one over 10, divided by 20, so that a command's fixed costs (its checks, its pools) cancel out.
 */
class RoundTripsIT extends IntegrationTest {
  private static final String FIRST_10 = "2024-01-11T00:00:00Z";
  private static final String ALL_40 = "2024-02-10T00:00:00Z";

  /** A network's one-way latency, for the proxies to count as a network would (see TcpProxy). */
  private static final Duration LATENCY = Duration.ofMillis(5);

  /** Started by the first command through it; closed after each test. */
  @AutoClose private ProxyPair proxies;

  @Test
  void copyAndVerifyOnTheDirectPath() {
    fortyDays(source);
    SchemaRestore.restore(source, target);
    assertCopyAndVerify("direct");
  }

  /**
   * Target chunks of two days: every other source chunk lands in a target chunk that holds rows
   * already (its delete is a statement more), and verify reads through the hypertable.
   */
  @Test
  void copyAndVerifyOnTheRoutedPath() {
    fortyDays(source);
    fortyDaysSchema(target, "2 days");
    assertCopyAndVerify("routed");
  }

  @Test
  void stageCostsTheSameForFortyChunksAsForTen() {
    fortyDays(source);
    SchemaRestore.restore(source, target);
    Turns ten = run("stage", "--until", FIRST_10);
    assertThat(taskCount("true")).isEqualTo(10);
    assertOk(tool("clean", "--target", target.uri(), "--force"));
    Turns forty = run("stage", "--until", ALL_40);
    assertThat(taskCount("true")).isEqualTo(40);
    System.out.printf("stage round trips: 10 chunks %s, 40 chunks %s%n", ten, forty);
    // Thirty more chunks at even one round trip each would add 30; a pool's check of an idle
    // connection adds one now and then (see assertCopyAndVerify).
    assertThat(forty.total())
        .as("stage's round trips with 40 chunks (with 10: %s; 40: %s)", ten, forty)
        .isBetween(ten.total() - 2, ten.total() + 2);
  }

  /**
   * On a target with the Timescale License stage also creates the target chunks the source has and
   * the target lacks, all of a hypertable's in one statement: forty cost no more round trips than
   * ten.
   */
  @Test
  void stageCreatingTargetChunksCostsTheSameForFortyAsForTen() {
    pair.close();
    pair = TslTestBed.get().freshPair("RoundTripsIT_tsl_stage");
    source = pair.source();
    target = pair.target();
    fortyDays(source);
    fortyDaysSchema(target, "1 day");
    Turns ten = run("stage", "--until", FIRST_10);
    assertThat(target.count("SELECT count(*) FROM show_chunks('public.days')")).isEqualTo(10);
    assertOk(tool("clean", "--target", target.uri(), "--force"));
    Turns forty = run("stage", "--until", ALL_40);
    assertThat(target.count("SELECT count(*) FROM show_chunks('public.days')")).isEqualTo(40);
    System.out.printf("TSL stage round trips: 10 chunks %s, 40 chunks %s%n", ten, forty);
    assertThat(forty.total())
        .as("stage's round trips creating 40 chunks (with 10: %s; 40: %s)", ten, forty)
        .isBetween(ten.total() - 2, ten.total() + 2);
  }

  /** Stages and copies 10 chunks, then 30 more, verifying each time, and checks per chunk. */
  private void assertCopyAndVerify(String path) {
    assertOk(
        tool("stage", "--source", source.uri(), "--target", target.uri(), "--until", FIRST_10));
    Turns copy10 = run("copy", "-p", "1");
    Turns verify10 = run("verify", "-p", "1");
    assertOk(tool("stage", "--source", source.uri(), "--target", target.uri(), "--until", ALL_40));
    Turns copy30 = run("copy", "-p", "1");
    Turns verify30 = run("verify", "-p", "1");
    assertThat(taskCount("copy_path = '" + path + "'")).as("tasks copied " + path).isEqualTo(40);
    assertThat(taskCount("verified IS NOT NULL")).isEqualTo(40);
    assertSameRows("public.days", "true");
    double copy = copy30.perChunkOfWorker(copy10);
    double verify = verify30.perChunkOfWorker(verify10);
    System.out.printf(
        "%s: copy %.2f round trips per chunk (10: %s; 30: %s), verify %.2f (10: %s; 30: %s)%n",
        path, copy, copy10, copy30, verify, verify10, verify30);
    // A pool checks a connection that sat idle before lending it (one round trip, or not, as the
    // timing falls): jitter in the fixed costs, well under a chunk's worth over 20 chunks.
    assertThat(Math.floor(copy)).as("copy round trips per chunk, " + path).isLessThanOrEqualTo(8);
    assertThat(Math.floor(verify))
        .as("verify round trips per chunk, " + path)
        .isLessThanOrEqualTo(4);
    if (path.equals("direct")) {
      // Small whole chunks with a target chunk are verified up to 16 at a time: one claim, one
      // summary statement per side, a savepoint and the commit for all of them.
      assertThat(verify).as("verify round trips per chunk, batched").isLessThan(1.0);
    }
  }

  /** Runs a command through both proxies and counts each connection's round trips. */
  private Turns run(String... args) {
    if (proxies == null) {
      proxies = ProxyPair.start(source, target, LATENCY);
    }
    ProxyPair.Mark mark = proxies.mark();
    ToolRun run =
        tool(
            withArgs(
                new String[] {
                  args[0], "--source", proxies.sourceUri(), "--target", proxies.targetUri()
                },
                List.of(args).subList(1, args.length).toArray(String[]::new)));
    assertOk(run);
    return new Turns(proxies.sourceTurnsSince(mark), proxies.targetTurnsSince(mark));
  }

  /**
   * The round trips of a command's connections on each side. A worker's connection is the busiest
   * on its side (at {@code -p 1} the pool has that one connection, which also ran the command's
   * checks; the target's other one is the ANALYZE connection).
   */
  private record Turns(List<Integer> source, List<Integer> target) {
    int worker() {
      return Collections.max(source) + Collections.max(target);
    }

    int total() {
      return source.stream().mapToInt(Integer::intValue).sum()
          + target.stream().mapToInt(Integer::intValue).sum();
    }

    /** Round trips per chunk of the worker: this run copied 30 chunks, {@code ten} 10. */
    double perChunkOfWorker(Turns ten) {
      return (worker() - ten.worker()) / 20.0;
    }

    @Override
    public String toString() {
      return "source " + source + ", target " + target;
    }
  }

  /** Forty daily chunks of 24 rows each, from 2024-01-01. */
  private static void fortyDays(TestDb db) {
    fortyDaysSchema(db, "1 day");
    db.exec(
        "INSERT INTO public.days SELECT '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 hour',"
            + " i % 5, i / 7.0, 'row ' || i FROM generate_series(0, 40 * 24 - 1) i");
  }

  private static void fortyDaysSchema(TestDb db, String chunkInterval) {
    db.exec(
        "CREATE TABLE public.days (time timestamptz NOT NULL, device int, value double precision,"
            + " note text)");
    db.exec(
        "SELECT create_hypertable('public.days', 'time', chunk_time_interval => interval '"
            + chunkInterval
            + "')");
  }
}
