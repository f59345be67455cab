package io.tsbackfill.testbed;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built jar ({@code target/timescaledb-backfill.jar}) run as its own process, as a user runs
 * it: with its own environment, signals and {@code kill -9}. Collects stdout and stderr apart.
 */
public final class ToolProcess {
  private final Process process;

  // Written by the reader threads while the test reads them: StringBuffer's locking is wanted.
  @SuppressWarnings("JdkObsolete")
  private final StringBuffer out = new StringBuffer();

  @SuppressWarnings("JdkObsolete")
  private final StringBuffer err = new StringBuffer();

  private final Thread outReader;
  private final Thread errReader;

  private ToolProcess(Process process) {
    this.process = process;
    this.outReader = collect(process.getInputStream(), out, "out");
    this.errReader = collect(process.getErrorStream(), err, "err");
  }

  /** Starts the jar with {@code args}; {@code env} entries are added (a null value removes). */
  public static ToolProcess start(Map<String, String> env, String... args) {
    File jar = new File("target/timescaledb-backfill.jar");
    if (!jar.isFile()) {
      throw new IllegalStateException(
          jar.getAbsolutePath() + " is missing: run 'mvn package' (failsafe runs after it)");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-jar",
                jar.getAbsolutePath()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    env.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    try {
      return new ToolProcess(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("starting the tool", e);
    }
  }

  /** Runs the jar to its end (at most {@code timeout}). */
  public static ToolRun run(Map<String, String> env, Duration timeout, String... args) {
    return start(env, args).waitFor(timeout);
  }

  public long pid() {
    return process.pid();
  }

  /** Waits until stdout or stderr has a line containing {@code text}; false on timeout or exit. */
  public boolean awaitOutput(String text, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (out.indexOf(text) >= 0 || err.indexOf(text) >= 0) {
        return true;
      }
      if (!process.isAlive()) {
        joinReaders();
        return out.indexOf(text) >= 0 || err.indexOf(text) >= 0;
      }
      sleep(20);
    }
    return false;
  }

  /** {@code kill -9}: no handler, no cleanup, sockets closed by the kernel. */
  public void kill9() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    joinReaders();
  }

  public ToolRun waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        joinReaders();
        throw new AssertionError(
            "the tool did not end within "
                + timeout
                + "\n--- stdout ---\n"
                + out
                + "--- stderr ---\n"
                + err);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    joinReaders();
    return new ToolRun(process.exitValue(), out.toString(), err.toString());
  }

  /** What it printed so far. */
  public String output() {
    return "--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }

  private void joinReaders() {
    try {
      outReader.join(5000);
      errReader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread collect(InputStream in, StringBuffer sink, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  sink.append(line).append('\n');
                }
              } catch (IOException ignored) {
                // The process is gone.
              }
            },
            "tool-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
