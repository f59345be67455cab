package io.tsbackfill.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The built jar ({@code target/timescaledb-backfill.jar}) running in its own JVM, as a user runs
 * it, so that tests can send it real signals. Its stdout and stderr are merged into one stream, in
 * the order the tool wrote them; a test waits for lines one after the other ({@link #await}) and
 * sends signals ({@link #signal}) at the moment it chooses.
 */
public final class JarProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target", "timescaledb-backfill.jar");
  private static final String EOF = new String("end of output");

  /**
   * Whether {@code line} is the end-of-output marker: the marker's own instance (a line the tool
   * printed with the same text is not the end), hence the identity comparison.
   */
  @SuppressWarnings("ReferenceEquality")
  private static boolean isEof(String line) {
    return line == EOF;
  }

  private final Process process;
  private final Thread reader;
  private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private boolean ended;

  /** The exit code and every line of output of a finished run. */
  public record Result(int exitCode, List<String> lines) {
    public String output() {
      return String.join("\n", lines) + "\n";
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ", output:\n" + output();
    }
  }

  private JarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "jar-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java -jar target/timescaledb-backfill.jar ARGS}. */
  public static JarProcess start(List<String> args) {
    return start(Map.of(), args);
  }

  /** Starts {@code java -jar target/timescaledb-backfill.jar ARGS} with {@code env} added. */
  public static JarProcess start(Map<String, String> env, List<String> args) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(
          JAR.toAbsolutePath() + " is missing: end-to-end tests run after 'mvn package'");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(JAR.toAbsolutePath().toString());
    cmd.addAll(args);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      return new JarProcess(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("starting " + cmd, e);
    }
  }

  /** Runs the jar to its end and returns what it did. */
  public static Result run(Duration timeout, List<String> args) {
    return run(timeout, Map.of(), args);
  }

  /** Runs the jar with {@code env} added to its end and returns what it did. */
  public static Result run(Duration timeout, Map<String, String> env, List<String> args) {
    try (JarProcess p = start(env, args)) {
      return p.finish(timeout);
    }
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Waits for the next line that matches, consuming the lines before it; fails when the process
   * ends first or the time runs out, showing the output so far.
   */
  public String await(String what, Predicate<String> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        if (ended) {
          throw new AssertionError(
              "the tool ended before printing " + what + "; output:\n" + String.join("\n", lines));
        }
        long left = deadline - System.nanoTime();
        String line = left <= 0 ? null : pending.poll(left, TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError(
              "no "
                  + what
                  + " within "
                  + timeout
                  + "; output so far:\n"
                  + String.join("\n", lines));
        }
        if (isEof(line)) {
          ended = true;
        } else if (matches.test(line)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  /** The lines printed so far. */
  public List<String> linesSoFar() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /**
   * Sends a signal by name ({@code INT}, {@code TERM}) with kill(1), as a terminal or an operator.
   */
  public void signal(String name) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException(
            "kill -s " + name + " " + process.pid() + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to exit and its output to end; kills it if the time runs out. */
  public Result finish(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "the tool did not exit within " + timeout + "; output:\n" + String.join("\n", lines));
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the tool", e);
    }
    return new Result(process.exitValue(), linesSoFar());
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        pending.add(line);
      }
    } catch (IOException e) {
      lines.add("(reading the tool's output failed: " + e + ")");
    } finally {
      pending.add(EOF);
    }
  }
}
