package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.CopyGate;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.Backend;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Faults injected into a running copy against real servers: the tool killed with {@code kill -9},
 * its source or target session terminated in the middle of a COPY. Whatever happens, a rerun (or
 * the run itself, through its retries) ends with exactly the source's rows on the target.
 */
class FaultIT extends FaultTest {
  @Test
  void killMinusNineMidCopyThenRerunIsExact() throws Exception {
    threeBigChunks();
    ToolProcess p =
        ToolProcess.start(
            Map.of(), "copy", "--source", source.uri(), "--target", target.uri(), "-p", "2");
    assertThat(ToolBackends.await(target, Backend::inCopy, RUN_LIMIT))
        .as("a target session in COPY; %s", p.output())
        .isPresent();
    p.kill9();

    ToolRun rerun = copy("-p", "2");
    assertOk(rerun);
    assertExact();
  }

  @Test
  void sessionsTerminatedMidCopyAreRetriedAndAChunkThatKeepsFailingIsRecorded() throws Exception {
    threeBigChunks();
    List<String> chunks =
        target
            .rows(
                "SELECT chunk_name FROM timescaledb_information.chunks"
                    + " ORDER BY range_start DESC")
            .stream()
            .map(r -> r.get(0))
            .toList();
    try (CopyGate gate = CopyGate.install(target, TABLE)) {
      chunks.forEach(gate::hold);
      // One worker, newest chunk first, one retry per chunk.
      CompletableFuture<ToolRun> run = copyInBackground("-p", "1", "--retries", "1");

      // 1st chunk: its source session is terminated while the target side waits mid-COPY.
      awaitHeldAtGate();
      List<Backend> sources = ToolBackends.of(source);
      Backend sourceVictim =
          sources.stream().filter(Backend::inCopy).findFirst().orElse(sources.get(0));
      assertThat(ToolBackends.terminate(source, sourceVictim.pid())).isTrue();
      gate.release(chunks.get(0));

      // 2nd chunk: its target session is terminated in the middle of its COPY. The gate of that
      // chunk, by name: the 1st chunk's session may not have left the gate yet.
      terminate(awaitHeldAtGate(chunks.get(1)));
      gate.release(chunks.get(1));

      // 3rd chunk: terminated on both attempts, so it fails after all retries.
      terminate(awaitHeldAtGate(chunks.get(2)));
      terminate(awaitHeldAtGate(chunks.get(2)));

      ToolRun r = finish(run);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
      assertThat(r.err())
          .as("retry notices")
          .containsPattern(
              "retrying public\\.\\S+ \\[.*\\) _timescaledb_internal\\." + chunks.get(0) + " ")
          .containsPattern(
              "retrying public\\.\\S+ \\[.*\\) _timescaledb_internal\\." + chunks.get(1) + " ")
          .containsPattern(
              "retrying public\\.\\S+ \\[.*\\) _timescaledb_internal\\." + chunks.get(2) + " ");
      assertThat(r.err())
          .as("the pool's broken-connection warnings are debug output")
          .doesNotContain("marked as broken");
      assertThat(r.out())
          .contains("1 chunk failed, left pending for the next copy")
          .contains(chunks.get(2));
      assertThat(taskCount("worked IS NULL")).isEqualTo(1);
      assertThat(target.value("SELECT copy_message FROM __backfill.task WHERE worked IS NULL"))
          .contains("failed after 2 attempts")
          .containsAnyOf("57P01", "08006");
      assertThat(target.value("SELECT copy_sqlstate FROM __backfill.task WHERE worked IS NULL"))
          .as("the SQLSTATE recorded with the failure")
          .isIn("57P01", "08006");
      assertSameRows(TABLE, "time >= '2024-01-02 00:00+00'");
    }
    assertOk(copy("-p", "2"));
    assertExact();
  }
}
