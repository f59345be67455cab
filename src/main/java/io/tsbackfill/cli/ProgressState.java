package io.tsbackfill.cli;

import io.tsbackfill.report.Units;
import io.tsbackfill.work.ChunkReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's progress as the displays show it: chunks and staged source bytes done out of the total
 * (so the ETA weighs each chunk by its size), rows and bytes moved, and what each worker is on.
 */
final class ProgressState {
  private final String verb;
  private final long totalChunks;
  private final long totalBytes;
  private final Instant start = Instant.now();
  private long doneChunks;
  private long doneBytes;
  private long rows;
  private long bytes;
  private final Map<String, String> running = new TreeMap<>();

  ProgressState(String verb, long totalChunks, long totalBytes) {
    this.verb = verb;
    this.totalChunks = totalChunks;
    this.totalBytes = totalBytes;
  }

  synchronized void started(String worker, String chunk) {
    running.put(worker, chunk);
  }

  synchronized void finished(String worker, ChunkReport r) {
    running.values().remove(r.chunk().sourceChunk());
    doneChunks++;
    doneBytes += Math.max(0, r.sourceBytes());
    rows += r.rows();
    bytes += r.copyBytes();
  }

  long totalBytes() {
    return totalBytes;
  }

  synchronized long doneBytes() {
    return doneBytes;
  }

  /** Done share of the work in [0, 1], by staged bytes (by chunks when sizes are unknown). */
  synchronized double fraction() {
    if (totalBytes > 0) {
      return Math.min(1, (double) doneBytes / totalBytes);
    }
    return totalChunks == 0 ? 1 : (double) doneChunks / totalChunks;
  }

  synchronized Duration eta() {
    double f = fraction();
    if (f <= 0 || f >= 1) {
      return null;
    }
    long elapsed = Duration.between(start, Instant.now()).toMillis();
    return Duration.ofMillis((long) (elapsed * (1 - f) / f));
  }

  /** The chunks in progress, shortest names first left out: "worker-1: chunk, ...". */
  synchronized String runningText() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : running.entrySet()) {
      String w = e.getKey();
      String shortWorker = w.substring(w.lastIndexOf('-') + 1);
      String chunk = e.getValue();
      String shortChunk = chunk.substring(chunk.lastIndexOf('.') + 1);
      b.append(b.length() == 0 ? "" : ", ")
          .append("w")
          .append(shortWorker)
          .append(" ")
          .append(shortChunk);
    }
    return b.toString();
  }

  synchronized String chunksText() {
    return doneChunks + "/" + totalChunks + " chunks";
  }

  /** One line for logs and plain output. */
  synchronized String summaryLine() {
    Duration elapsed = Duration.between(start, Instant.now());
    Duration eta = eta();
    String rate = "copy".equals(verb) ? Units.rate(bytes, elapsed) : "";
    return verb
        + " progress: "
        + chunksText()
        + String.format(java.util.Locale.ROOT, " (%.0f%%", fraction() * 100)
        + (totalBytes > 0 ? " of " + Units.bytes(totalBytes) + " on-disk size staged" : "")
        + "), "
        + Units.count(rows)
        + " rows"
        + ("copy".equals(verb) ? ", " + Units.bytes(bytes) + " COPY data" : "")
        + (rate.isEmpty() ? "" : ", " + rate)
        + ", elapsed "
        + Units.duration(elapsed)
        + (eta == null ? "" : ", ETA " + Units.duration(eta))
        + (running.isEmpty() ? "" : "; running: " + runningText());
  }
}
