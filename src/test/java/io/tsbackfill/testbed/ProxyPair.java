package io.tsbackfill.testbed;

import java.time.Duration;
import java.util.List;

/**
 * A counting {@link TcpProxy} in front of each server of a source and target, for round-trip
 * counts: the servers' bytes are delayed by a network's one-way latency so that the proxies count
 * round trips as a network would (see {@link TcpProxy#delayServerBytes}). Gives the connection
 * strings through the proxies, and each connection's round trips since a mark.
 */
public final class ProxyPair implements AutoCloseable {
  private final TestDb source;
  private final TestDb target;
  private final TcpProxy sourceProxy;
  private final TcpProxy targetProxy;

  /** Where the counts of both proxies stood at one moment. */
  public record Mark(int source, int target) {}

  private ProxyPair(TestDb source, TestDb target, Duration latency) {
    this.source = source;
    this.target = target;
    this.sourceProxy = TcpProxy.start(source.server().host(), source.server().port());
    this.targetProxy = TcpProxy.start(target.server().host(), target.server().port());
    sourceProxy.delayServerBytes(latency);
    targetProxy.delayServerBytes(latency);
  }

  public static ProxyPair start(TestDb source, TestDb target, Duration latency) {
    return new ProxyPair(source, target, latency);
  }

  /** The source database's connection string through its proxy. */
  public String sourceUri() {
    return via(source, sourceProxy);
  }

  /** The target database's connection string through its proxy. */
  public String targetUri() {
    return via(target, targetProxy);
  }

  public Mark mark() {
    return new Mark(sourceProxy.mark(), targetProxy.mark());
  }

  /** The round trips of each source connection since {@code mark}. */
  public List<Integer> sourceTurnsSince(Mark mark) {
    return sourceProxy.turnsSince(mark.source());
  }

  /** The round trips of each target connection since {@code mark}. */
  public List<Integer> targetTurnsSince(Mark mark) {
    return targetProxy.turnsSince(mark.target());
  }

  private static String via(TestDb db, TcpProxy proxy) {
    return db.uri().replace(":" + db.server().port() + "/", ":" + proxy.port() + "/");
  }

  @Override
  public void close() {
    sourceProxy.close();
    targetProxy.close();
  }
}
