package io.tsbackfill.work;

import java.sql.Connection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two-stage stop of a worker pool. The first request lets in-flight chunks finish and stops
 * claiming; the second aborts every registered connection at once, so in-flight transactions roll
 * back on the servers and blocked socket reads return immediately.
 */
public final class Shutdown {
  /** Told when a stop is requested; {@code immediate} on the second request. */
  public interface Listener {
    void onStopRequested(boolean immediate);
  }

  private final AtomicInteger requests = new AtomicInteger();
  private final Set<Connection> inFlight = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private volatile Listener listener = immediate -> {};

  public void setListener(Listener listener) {
    this.listener = listener;
  }

  /** A stop request, from a signal handler or a fatal error. */
  public void request() {
    int n = requests.incrementAndGet();
    if (n == 1) {
      listener.onStopRequested(false);
      wake();
    } else if (n == 2) {
      listener.onStopRequested(true);
      abortAll();
      wake();
    }
  }

  /**
   * Stops claiming, as a first request does, without a listener notice: after an error that ends
   * the run, the chunks in progress still finish.
   */
  public void stopClaiming() {
    requests.compareAndSet(0, 1);
    wake();
  }

  /** Stops at once without a listener notice. */
  public void abortNow() {
    requests.set(Math.max(requests.get(), 2));
    abortAll();
    wake();
  }

  public boolean isStopping() {
    return requests.get() >= 1;
  }

  public boolean isImmediate() {
    return requests.get() >= 2;
  }

  /** Registers a physical connection to abort on an immediate stop. */
  public void register(Connection physical) {
    inFlight.add(physical);
    if (isImmediate()) {
      abortAll();
    }
  }

  public void unregister(Connection physical) {
    inFlight.remove(physical);
  }

  /** Sleeps up to {@code millis}, returning early when a stop is requested. */
  public void sleep(long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    synchronized (lock) {
      while (!isStopping()) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) {
          return;
        }
        lock.wait(left);
      }
    }
  }

  private void wake() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void abortAll() {
    for (Connection c : inFlight) {
      try {
        c.abort(Runnable::run);
      } catch (Exception ignored) {
        // The connection is being torn down either way.
      }
    }
  }
}
