package io.tsbackfill.cli;

import io.tsbackfill.db.Redactor;
import io.tsbackfill.report.Units;
import io.tsbackfill.work.ChunkReport;
import io.tsbackfill.work.TaskListener;
import java.io.PrintStream;

/**
 * Where a command's output goes: results on stdout, notices on stderr, every line through the
 * {@link Redactor}. Renders the task engine's events as plain lines, one per finished chunk.
 */
public final class Console implements TaskListener {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean installSignals;
  private int verbosity;

  Console(PrintStream out, PrintStream err, boolean installSignals) {
    this.out = out;
    this.err = err;
    this.installSignals = installSignals;
  }

  PrintStream err() {
    return err;
  }

  int verbosity() {
    return verbosity;
  }

  void setVerbosity(int verbosity) {
    this.verbosity = verbosity;
  }

  boolean installSignals() {
    return installSignals;
  }

  public synchronized void result(String line) {
    out.println(Redactor.redact(line));
    out.flush();
  }

  public synchronized void notice(String line) {
    err.println(Redactor.redact(line));
    err.flush();
  }

  @Override
  public void onStart(String verb, long pendingChunks, long pendingBytes, int workers) {
    result(
        ("verify".equals(verb) ? "Verifying " : "Copying ")
            + pendingChunks
            + ("verify".equals(verb) ? " copied chunk" : " pending chunk")
            + (pendingChunks == 1 ? "" : "s")
            + " ("
            + Units.bytes(pendingBytes)
            + " on the source) with "
            + workers
            + " worker"
            + (workers == 1 ? "" : "s"));
  }

  @Override
  public void onChunkFinished(ChunkReport r) {
    String counter = "[" + r.index() + "/" + r.total() + "] ";
    switch (r.outcome()) {
      case COPIED -> {
        String rate = Units.rate(r.bytes(), r.duration());
        result(
            counter
                + "copied "
                + r.sourceChunk()
                + " -> "
                + r.destination()
                + " ("
                + r.path()
                + "): "
                + Units.count(r.rows())
                + " rows, "
                + Units.bytes(r.bytes())
                + " in "
                + Units.duration(r.duration())
                + (rate.isEmpty() ? "" : " (" + rate + ")"));
      }
      case SKIPPED ->
          result(counter + "skipped " + r.sourceChunk() + ": it has disappeared from the source");
      case VERIFIED ->
          result(
              counter
                  + "verified "
                  + r.sourceChunk()
                  + " = "
                  + r.destination()
                  + ": "
                  + Units.count(r.rows())
                  + " rows in "
                  + Units.duration(r.duration()));
      case DIFFERENT -> {
        StringBuilder b = new StringBuilder(counter).append("FAILED ").append(r.message());
        for (String d : r.details()) {
          b.append(System.lineSeparator()).append("    ").append(d);
        }
        result(b.toString());
      }
      case FAILED -> result(counter + "FAILED " + r.sourceChunk() + ": " + r.message());
    }
  }

  @Override
  public void onRetry(
      String sourceChunk, int attempt, int maxAttempts, long backoffMillis, String error) {
    notice(
        "retrying "
            + sourceChunk
            + " in "
            + Units.duration(java.time.Duration.ofMillis(backoffMillis))
            + " (attempt "
            + attempt
            + " of "
            + maxAttempts
            + " failed: "
            + error
            + ")");
  }

  @Override
  public void onStopRequested(boolean immediate) {
    if (immediate) {
      notice("Stopping at once: the chunks in progress are rolled back and stay pending.");
    } else {
      notice(
          "Shutting down: waiting for the chunks in progress to finish; no new chunk is started."
              + " Press Ctrl-C again to stop at once.");
    }
  }
}
