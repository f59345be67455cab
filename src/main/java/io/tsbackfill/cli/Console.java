package io.tsbackfill.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.db.Redactor;
import io.tsbackfill.report.Units;
import io.tsbackfill.task.ChunkLabel;
import io.tsbackfill.work.ChunkReport;
import io.tsbackfill.work.TaskListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a command's output goes, every line through the {@link Redactor}. In text mode results go
 * to stdout and notices to stderr; a run's chunks are shown as a live progress bar on a terminal,
 * or as timestamped lines (one per finished chunk plus a periodic summary) anywhere else. In JSON
 * mode stdout carries only newline-delimited JSON events and human text goes to stderr.
 */
public final class Console implements TaskListener {
  private static final Logger LOG = LoggerFactory.getLogger(Logging.PROGRESS);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private final PrintStream out;
  private final PrintStream err;
  private final boolean installSignals;
  private final boolean terminal;
  private int verbosity;
  private boolean quiet;
  private Output output = Output.TEXT;
  private Duration progressInterval = Duration.ofSeconds(30);

  private ProgressState state;
  private ProgressBar bar;
  private ScheduledExecutorService ticker;

  /** The progress summary's schedule: runs until the ticker is shut down. */
  private ScheduledFuture<?> ticks;

  private final StringBuilder deferred = new StringBuilder();

  Console(PrintStream out, PrintStream err, boolean installSignals, boolean terminal) {
    this.out = out;
    this.err = err;
    this.installSignals = installSignals;
    this.terminal = terminal;
  }

  PrintStream err() {
    return err;
  }

  int verbosity() {
    return verbosity;
  }

  void setVerbosity(int verbosity, boolean quiet) {
    this.verbosity = verbosity;
    this.quiet = quiet;
  }

  void setOutput(Output output) {
    this.output = output == null ? Output.TEXT : output;
  }

  Output output() {
    return output;
  }

  void setProgressInterval(Duration interval) {
    this.progressInterval = interval;
  }

  boolean installSignals() {
    return installSignals;
  }

  /** A result line: stdout in text mode, stderr in JSON mode (stdout holds only events). */
  public synchronized void result(String line) {
    PrintStream to = output == Output.JSON ? err : out;
    LOG.info("{}", line);
    if (bar != null) {
      deferred.append(line).append(System.lineSeparator());
      return;
    }
    to.println(Redactor.redact(line));
    to.flush();
  }

  /**
   * A line of progress (the banner, a run's start, each chunk done, the periodic summary): left out
   * under {@code -q}, which keeps warnings, errors and the final summary only. The log file has it
   * either way.
   */
  public synchronized void progress(String line) {
    if (quiet) {
      LOG.info("{}", line);
      return;
    }
    result(line);
  }

  /** A note on stderr; left out under {@code -q}. */
  public synchronized void notice(String line) {
    if (quiet) {
      LOG.info("{}", line);
      return;
    }
    warning(line);
  }

  /** A warning on stderr, shown under {@code -q} too. */
  public synchronized void warning(String line) {
    LOG.info("{}", line);
    if (bar != null) {
      err.println();
    }
    err.println(Redactor.redact(line));
    err.flush();
  }

  /** A JSON event on stdout in JSON mode (with its type and time); nothing in text mode. */
  public synchronized void event(String type, Map<String, ?> fields) {
    if (output != Output.JSON) {
      return;
    }
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("event", type);
    // Event times carry the tool's own offset (TZ), as its other output does.
    e.put(
        "time",
        OffsetDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS).format(STAMP));
    e.putAll(fields);
    try {
      out.println(Redactor.redact(Json.MAPPER.writeValueAsString(e)));
      out.flush();
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write a JSON event", ex);
    }
  }

  private boolean live() {
    return output == Output.TEXT && terminal && !quiet;
  }

  @Override
  public void onStart(String verb, long pendingChunks, long pendingBytes, int workers) {
    progress(
        ("verify".equals(verb) ? "Verifying " : "Copying ")
            + pendingChunks
            + ("verify".equals(verb) ? " copied chunk" : " pending chunk")
            + (pendingChunks == 1 ? "" : "s")
            + " ("
            + Units.bytes(pendingBytes)
            + " on-disk size on the source) with "
            + workers
            + " worker"
            + (workers == 1 ? "" : "s"));
    event(
        "start",
        fields(
            "command",
            verb,
            "chunks",
            pendingChunks,
            "source_bytes",
            pendingBytes,
            "workers",
            workers));
    synchronized (this) {
      state = new ProgressState(verb, pendingChunks, pendingBytes);
      if (live() && workers > 0) {
        bar =
            new ProgressBarBuilder()
                .setTaskName(verb)
                .setInitialMax(Math.max(1, pendingBytes))
                .setUnit(unit(pendingBytes), unitSize(pendingBytes))
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .showSpeed(new java.text.DecimalFormat("0.0"))
                .build();
        bar.setExtraMessage(" " + state.chunksText());
      } else if (output == Output.TEXT && !progressInterval.isZero() && workers > 0) {
        ticker =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "progress");
                  t.setDaemon(true);
                  return t;
                });
        long ms = progressInterval.toMillis();
        ticks = ticker.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static String unit(long bytes) {
    return bytes >= 10_000_000_000L ? "GB" : bytes >= 10_000_000 ? "MB" : "kB";
  }

  private static long unitSize(long bytes) {
    return bytes >= 10_000_000_000L ? 1_000_000_000L : bytes >= 10_000_000 ? 1_000_000 : 1_000;
  }

  private void tick() {
    ProgressState s = state;
    if (s != null) {
      progress(stamp() + s.summaryLine());
    }
  }

  @Override
  public void onChunkStarted(String worker, ChunkLabel chunk, long sourceBytes) {
    ProgressState s = state;
    if (s != null) {
      s.started(worker, chunk.sourceChunk());
      updateBar();
    }
    Map<String, Object> f = chunkFields(chunk);
    f.put("worker", worker);
    f.put("source_bytes", sourceBytes);
    event("chunk_started", f);
  }

  /** A chunk's identity as JSON fields: hypertable, source chunk, time range as plain values. */
  static Map<String, Object> chunkFields(ChunkLabel chunk) {
    return fields(
        "hypertable", chunk.hypertable(),
        "source_chunk", chunk.sourceChunk(),
        "range_start", chunk.range().start(),
        "range_end", chunk.range().end());
  }

  /** Chunks as a JSON list of {@link #chunkFields}. */
  static List<Map<String, Object>> chunkList(List<ChunkLabel> chunks) {
    return chunks.stream().map(Console::chunkFields).toList();
  }

  /** Chunks as one line of text. */
  static String texts(List<ChunkLabel> chunks) {
    return chunks.stream().map(ChunkLabel::text).collect(java.util.stream.Collectors.joining(", "));
  }

  private synchronized void updateBar() {
    if (bar != null) {
      String running = state.runningText();
      bar.setExtraMessage(" " + state.chunksText() + (running.isEmpty() ? "" : " | " + running));
      bar.stepTo(Math.min(bar.getMax(), state.doneBytes()));
    }
  }

  @Override
  public void onChunkFinished(ChunkReport r) {
    ProgressState s = state;
    if (s != null) {
      s.finished(null, r);
    }
    String line = chunkLine(r);
    if (output == Output.JSON) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
      f.put("index", r.index());
      f.put("total", r.total());
      f.putAll(chunkFields(r.chunk()));
      f.put("target_chunk", r.targetChunk());
      f.put("destination", r.destination());
      f.put("path", r.path());
      f.put("rows", r.rows());
      f.put("copy_bytes", r.copyBytes());
      f.put("source_bytes", r.sourceBytes());
      f.put("duration_ms", r.duration().toMillis());
      f.put("message", r.message());
      if (!r.details().isEmpty()) {
        f.put("differences", r.details());
      }
      event(r.outcome().done() ? "chunk_finished" : "chunk_failed", f);
      if (r.outcome().done()) {
        notice(line);
      } else {
        warning(line);
      }
      return;
    }
    synchronized (this) {
      if (bar != null) {
        LOG.info("{}", line);
        if (!r.outcome().done()) {
          deferred.append(line).append(System.lineSeparator());
        }
        updateBar();
        return;
      }
    }
    if (r.outcome().done()) {
      progress(stamp() + line);
    } else {
      result(stamp() + line);
    }
  }

  /**
   * One chunk's line: {@code [3/4] copied public.metrics [2024-01-03T00:00:00Z,
   * 2024-01-04T00:00:00Z) _timescaledb_internal._hyper_1_4_chunk (direct): ...}, with {@code ->
   * target chunk} where the target's chunk has another name (continuous aggregates).
   */
  private static String chunkLine(ChunkReport r) {
    String counter = "[" + r.index() + "/" + r.total() + "] ";
    String chunk =
        r.chunk().text()
            + (r.targetChunk() != null && !r.targetChunk().equals(r.chunk().sourceChunk())
                ? " -> " + r.targetChunk()
                : "");
    return switch (r.outcome()) {
      case COPIED -> {
        String rate = Units.rate(r.copyBytes(), r.duration());
        yield counter
            + "copied "
            + chunk
            + " ("
            + r.path()
            + "): "
            + Units.count(r.rows())
            + " rows, "
            + Units.bytes(r.copyBytes())
            + " COPY data in "
            + Units.duration(r.duration())
            + (rate.isEmpty() ? "" : " (" + rate + ")");
      }
      case SKIPPED -> counter + "skipped " + chunk + ": it has disappeared from the source";
      case VERIFIED ->
          counter
              + "verified "
              + chunk
              + " ("
              + r.path()
              + "): "
              + Units.count(r.rows())
              + " rows in "
              + Units.duration(r.duration());
      case DIFFERENT -> {
        StringBuilder b =
            new StringBuilder(counter)
                .append("FAILED ")
                .append(chunk)
                .append(": ")
                .append(r.message());
        for (String d : r.details()) {
          b.append(System.lineSeparator()).append("    ").append(d);
        }
        yield b.toString();
      }
      case FAILED -> counter + "FAILED " + chunk + ": " + r.message();
    };
  }

  private String stamp() {
    return OffsetDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).format(STAMP)
        + " ";
  }

  @Override
  public void onRetry(
      ChunkLabel chunk, int attempt, int maxAttempts, long backoffMillis, String error) {
    warning(
        "retrying "
            + chunk.text()
            + " in "
            + Units.duration(Duration.ofMillis(backoffMillis))
            + " (attempt "
            + attempt
            + " of "
            + maxAttempts
            + " failed: "
            + error
            + ")");
    Map<String, Object> f = chunkFields(chunk);
    f.putAll(
        fields(
            "attempt",
            attempt,
            "max_attempts",
            maxAttempts,
            "backoff_ms",
            backoffMillis,
            "error",
            error));
    event("retry", f);
  }

  @Override
  public void onStopRequested(boolean immediate) {
    String text =
        immediate
            ? "Stopping at once: the chunks in progress are rolled back and stay pending."
            : "Shutting down: waiting for the chunks in progress to finish; no new chunk is"
                + " started. Press Ctrl-C again to stop at once.";
    synchronized (this) {
      if (bar != null) {
        // Said at once, not after the bar: the operator is waiting for an answer.
        err.println();
      }
      err.println(Redactor.redact(text));
      err.flush();
    }
    event("stopping", fields("immediate", immediate));
  }

  @Override
  public void onEnd() {
    String pending;
    synchronized (this) {
      if (ticker != null) {
        ticks.cancel(false);
        ticker.shutdownNow();
        ticker = null;
      }
      if (bar != null) {
        bar.close();
        bar = null;
      }
      pending = deferred.toString();
      deferred.setLength(0);
    }
    if (!pending.isEmpty()) {
      for (String line : pending.split(System.lineSeparator())) {
        result(line);
      }
    }
  }

  /** An ordered map from alternating keys and values. */
  static Map<String, Object> fields(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /**
   * Made on the first JSON event: the object mapper loads hundreds of classes, which text output
   * need not load at every start (docs/performance.md).
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
