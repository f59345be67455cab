package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.CopyGate;
import io.tsbackfill.testbed.PrivateServer;
import io.tsbackfill.testbed.TcpProxy;
import io.tsbackfill.testbed.ToolBackends;
import io.tsbackfill.testbed.ToolBackends.Backend;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Faults of the target server and of the network: a private target server restarted in the middle
 * of a COPY (the shared servers are never touched), and the connections to the target cut by a TCP
 * proxy while the server-side sessions linger, as they do behind a broken network; the source's
 * connection cut while the tool reads its rows.
 */
class ServerFaultIT extends FaultTest {

  @Test
  void targetServerRestartedMidCopyRecoversOrExitsClearlyAndARerunIsExact() throws Exception {
    try (PrivateServer pg = PrivateServer.start("restart", List.of(), List.of())) {
      target = pg.createDatabase(target.name());
      threeBigChunks();
      String chunk = newestChunk();
      CopyGate gate = CopyGate.install(target, TABLE);
      gate.hold(chunk);
      // The built jar, so that everything it prints (also through java.util.logging) is seen.
      ToolProcess p =
          ToolProcess.start(
              Map.of(), "copy", "--source", source.uri(), "--target", target.uri(), "-p", "2");
      awaitHeldAtGate();

      pg.restart("immediate"); // a crash and restart: every session ends, the gate opens
      gate.close();
      ToolRun r = p.waitFor(RUN_LIMIT);
      System.out.println("after the target restart: " + r);
      assertThat(r.all()).as("no stack trace without -vv: %s", r).doesNotContain("\tat ");
      if (r.exitCode() != 0) {
        // It may not recover, but then it says why in one line and leaves a resumable state.
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).as(r.toString()).contains("error: ");
        assertOk(copy("-p", "2"));
      } else {
        assertThat(r.err()).as(r.toString()).contains("retrying");
      }
      assertExact();
    }
  }

  @Test
  void connectionsCutByTheNetworkAreRetriedAndTheStaleSessionIsNotWaitedFor() throws Exception {
    threeBigChunks();
    String chunk = newestChunk();
    try (CopyGate gate = CopyGate.install(target, TABLE);
        TcpProxy proxy = TcpProxy.start(target.server().host(), target.server().port())) {
      gate.hold(chunk);
      String viaProxy =
          target.uri().replace(":" + target.server().port() + "/", ":" + proxy.port() + "/");
      CompletableFuture<ToolRun> run =
          CompletableFuture.supplyAsync(
              () ->
                  tool(
                      "copy",
                      "--source",
                      source.uri(),
                      "--target",
                      viaProxy,
                      "-p",
                      "1",
                      "--retries",
                      "5"));
      Backend stale = awaitHeldAtGate();

      // The network fails: every connection is reset and new ones are refused for 2 s. The
      // server-side session waits at the gate and does not notice, like one behind a dead link;
      // it still holds the chunk's task row.
      proxy.refuse(true);
      proxy.cut();
      Thread.sleep(2000);
      proxy.refuse(false);

      // The retry must end that stale session of its own rather than leave the chunk to it.
      assertThat(ToolBackends.awaitGone(target, stale.pid(), Duration.ofSeconds(60)))
          .as("the stale session %s is ended by the retrying worker", stale)
          .isTrue();
      gate.release(chunk);
      ToolRun r = finish(run);
      assertOk(r);
      assertThat(r.err()).contains("retrying").contains(chunk);
      assertThat(proxy.accepted()).as("connections through the proxy").isGreaterThan(2);
    }
    assertExact();
  }

  @Test
  void aSourceConnectionCutWhileTheToolReadsItsRowsIsRetriedAndTheChunkCopiedOnce()
      throws Exception {
    threeBigChunks();
    String chunk = newestChunk();
    try (TcpProxy proxy = TcpProxy.start(source.server().host(), source.server().port())) {
      // Only the connection streaming a chunk (1.2 MB) gets this far: the tool then waits for
      // the rest of its rows, in the middle of a CopyData message or between two.
      proxy.stallDownstreamAfter(300_000);
      String viaProxy =
          source.uri().replace(":" + source.server().port() + "/", ":" + proxy.port() + "/");
      CompletableFuture<ToolRun> run =
          CompletableFuture.supplyAsync(
              () ->
                  tool(
                      "copy",
                      "--source",
                      viaProxy,
                      "--target",
                      target.uri(),
                      "-p",
                      "1",
                      "--retries",
                      "3"));
      assertThat(proxy.awaitStalled(Duration.ofSeconds(60))).as("a stalled COPY").isTrue();
      proxy.stallDownstreamAfter(-1);
      proxy.cut();
      ToolRun r = finish(run);
      assertOk(r);
      assertThat(r.err())
          .contains("retrying")
          .contains(chunk)
          .as("the retry names the side and the SQLSTATE of the lost connection")
          .contains("source database: [08006]");
      assertThat(r.all()).as("no stack trace without -vv: %s", r).doesNotContain("\tat ");
    }
    assertExact();
  }
}
