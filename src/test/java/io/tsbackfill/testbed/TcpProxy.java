package io.tsbackfill.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy between the tool and a server, to play the network: {@link #cut()} resets
 * every open connection (a router dropping state), {@link #refuse(boolean)} turns new connections
 * away, {@link #stallDownstreamAfter(long)} stops a connection's server-to-client bytes after so
 * many, so that a client stands in the middle of reading a result. It also counts each connection's
 * round trips ({@link #turnsSince}): a client send that follows bytes from the server (or opens the
 * connection) starts one, whatever the client sends before the server answers; what a network's
 * latency costs a client is one delay per round trip. Counting needs {@link #delayServerBytes}: a
 * client may send one request in two writes (the driver sends a BEGIN ahead of a long statement),
 * and on loopback the server's answer to the first part can pass the proxy before the second part
 * does, which a network's latency would never let happen.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();

  /** Each connection's round trips so far, in the order they were accepted. */
  private final List<AtomicInteger> turns = new CopyOnWriteArrayList<>();

  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger stalled = new AtomicInteger();
  private volatile boolean refusing;
  private volatile boolean closed;
  private volatile long stallAfter = -1;
  private volatile long serverDelayMillis;

  private TcpProxy(ServerSocket listener, String host, int port) {
    this.listener = listener;
    this.host = host;
    this.port = port;
  }

  /** Listens on a free loopback port and forwards to {@code host:port}. */
  public static TcpProxy start(String host, int port) {
    try {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      TcpProxy proxy = new TcpProxy(listener, host, port);
      Thread t = new Thread(proxy::acceptLoop, "tcp-proxy-" + listener.getLocalPort());
      t.setDaemon(true);
      t.start();
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the TCP proxy", e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Connections accepted so far (including refused ones). */
  public int accepted() {
    return accepted.get();
  }

  /**
   * Delivers the server's bytes to the client {@code delay} after they arrived, as a network with
   * that one-way latency would (the client's bytes go on at once).
   */
  public void delayServerBytes(Duration delay) {
    serverDelayMillis = delay.toMillis();
  }

  /** How many connections have been proxied so far: a mark for {@link #turnsSince}. */
  public int mark() {
    return turns.size();
  }

  /**
   * The round trips of each connection proxied since {@code mark} (from {@link #mark}), in the
   * order they were accepted, open or closed.
   */
  public List<Integer> turnsSince(int mark) {
    List<Integer> out = new ArrayList<>();
    for (AtomicInteger t : turns.subList(mark, turns.size())) {
      out.add(t.get());
    }
    return out;
  }

  /** Connections open right now. */
  public int open() {
    return links.size();
  }

  /** Resets every open connection on both sides (RST, not a clean close). */
  public void cut() {
    for (Link l : links) {
      l.reset();
    }
  }

  /**
   * From now on a connection that has sent {@code bytes} from the server to the client sends no
   * more that way (until {@link #cut()}); the server's further bytes wait in the proxy.
   */
  public void stallDownstreamAfter(long bytes) {
    stallAfter = bytes;
  }

  /** Waits until some connection has stalled (see {@link #stallDownstreamAfter}). */
  public boolean awaitStalled(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (stalled.get() == 0) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** While on, new connections are reset as soon as they are accepted. */
  public void refuse(boolean on) {
    refusing = on;
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    cut();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      if (refusing) {
        resetQuietly(client);
        continue;
      }
      try {
        Socket server = new Socket();
        server.connect(new InetSocketAddress(host, port), 5000);
        Link link = new Link(client, server);
        links.add(link);
        link.start();
      } catch (IOException e) {
        resetQuietly(client);
      }
    }
  }

  private static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException ignored) {
      // Already gone.
    }
  }

  /** One proxied connection: two pumps, one per direction. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private final CountDownLatch over = new CountDownLatch(1);
    private final AtomicInteger turnCount = new AtomicInteger();

    /** Whether the server spoke since the client last did: the client's next send is a turn. */
    private volatile boolean serverSpoke = true;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
      turns.add(turnCount);
    }

    void start() {
      pump(client, server, "up");
      pump(server, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  int n;
                  long sent = 0;
                  boolean down = from == server;
                  while ((n = in.read(buf)) >= 0) {
                    if (n == 0) {
                      continue;
                    }
                    if (down) {
                      long delay = serverDelayMillis;
                      if (delay > 0) {
                        Thread.sleep(delay);
                      }
                      // Before the client can see the bytes, so its answer counts as a new turn.
                      serverSpoke = true;
                    } else if (serverSpoke) {
                      serverSpoke = false;
                      turnCount.incrementAndGet();
                    }
                    long limit = stallAfter;
                    if (down && limit >= 0 && sent + n > limit) {
                      out.write(buf, 0, (int) Math.max(0, limit - sent));
                      out.flush();
                      stalled.incrementAndGet();
                      over.await();
                      return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    sent += n;
                  }
                } catch (SocketException e) {
                  // Reset by cut() or by a peer.
                } catch (IOException e) {
                  // Same: the link is over.
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  reset();
                }
              },
              "tcp-proxy-" + port() + "-" + direction);
      t.setDaemon(true);
      t.start();
    }

    void reset() {
      over.countDown();
      links.remove(this);
      resetQuietly(client);
      resetQuietly(server);
    }
  }
}
