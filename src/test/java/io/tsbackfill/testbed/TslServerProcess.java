package io.tsbackfill.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code testsupport/tsl-server} child process: PGlite TimescaleDB with the Timescale License
 * behind a PostgreSQL wire server on a free loopback port. Started with {@code node} from the PATH
 * and {@code --exit-on-stdin-close}, so it also goes away when this JVM dies without running its
 * shutdown hooks (the pipe to its stdin closes). Its stderr goes to a file that failure messages
 * quote.
 */
final class TslServerProcess {
  private final String name;
  private final Process process;
  private final Path stderr;
  private final int port;

  private TslServerProcess(String name, Process process, Path stderr, int port) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.port = port;
  }

  /** Starts the server without waiting; {@link Starting#awaitReady} waits for its READY line. */
  static Starting start(String name, Path serverDir) {
    Path script = serverDir.resolve("server.mjs");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("no TSL test server at " + script);
    }
    if (!Files.isDirectory(serverDir.resolve("node_modules/@electric-sql/pglite"))) {
      throw new IllegalStateException(
          "the TSL test server's packages are not installed: run 'npm ci' in "
              + serverDir
              + " (scripts/test.sh does)");
    }
    try {
      Path stderr = Files.createTempFile("tsl-server-" + name + "-", ".log");
      ProcessBuilder pb =
          new ProcessBuilder("node", "server.mjs", "--port", "0", "--exit-on-stdin-close")
              .directory(serverDir.toFile())
              .redirectError(stderr.toFile());
      Process p = pb.start();
      CompletableFuture<Integer> ready = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                      ready.complete(Integer.parseInt(line.substring(6).strip()));
                    }
                  }
                  ready.completeExceptionally(
                      new IllegalStateException("exited with code " + p.waitFor()));
                } catch (IOException | InterruptedException | NumberFormatException e) {
                  ready.completeExceptionally(e);
                }
              },
              "tsl-server-" + name + "-stdout");
      reader.setDaemon(true);
      reader.start();
      return new Starting(name, p, stderr, ready);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start the TSL test server with 'node' from the PATH (Node 20 is needed): "
              + e.getMessage(),
          e);
    }
  }

  /** A server process that has not yet said READY. */
  record Starting(String name, Process process, Path stderr, CompletableFuture<Integer> ready) {

    /** Waits for the READY line; fails with the server's stderr if it does not come in time. */
    TslServerProcess awaitReady(Duration timeout) {
      try {
        int port = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new TslServerProcess(name, process, stderr, port);
      } catch (TimeoutException | ExecutionException e) {
        process.destroyForcibly();
        String why =
            e instanceof TimeoutException
                ? "did not print READY within " + timeout.toSeconds() + " s"
                : "failed before READY (" + e.getCause().getMessage() + ")";
        throw new IllegalStateException(
            "the " + name + " TSL test server " + why + "; its stderr:\n" + tail(stderr), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IllegalStateException("interrupted while starting the TSL test server", e);
      }
    }
  }

  int port() {
    return port;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines the server wrote to stderr, for failure messages. */
  String stderrTail() {
    return tail(stderr);
  }

  /** SIGTERM (the server exits cleanly), then a forced kill if it has not gone in 5 s. */
  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(stderr);
    } catch (IOException ignored) {
      // A temp file left behind.
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(stderr unreadable: " + e.getMessage() + ")";
    }
  }
}
