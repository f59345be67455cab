package io.tsbackfill.cli;

import io.tsbackfill.report.Units;
import io.tsbackfill.status.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code status}: what is staged, in flight, copied, verified and failed, per hypertable. */
@Command(
    mixinStandardHelpOptions = true,
    name = "status",
    description = {
      "Shows the task list in the target's __backfill schema per hypertable: chunks pending,"
          + " being copied, copied, being verified, verified and failed, with rows, COPY bytes"
          + " and on-disk size,"
          + " overall progress and the latest errors. Takes no locks: run it any time, also"
          + " while copy or verify run, from another shell or machine."
    },
    footer = {"", "Example:", "  timescaledb-backfill status --target $TARGET"})
final class StatusCommand extends BaseCommand {
  @Mixin TargetOption target;

  @Override
  int execute(Console console) {
    Status status = Status.read(target.spec());
    Status.Row total = status.total();
    console.event("status", json(status, total));
    String[] head = {
      "hypertable",
      "chunks",
      "pending",
      "copying",
      "copied",
      "verifying",
      "verified",
      "failed",
      "rows copied",
      "COPY bytes",
      "on-disk size"
    };
    List<String[]> lines = new ArrayList<>();
    lines.add(head);
    for (Status.Row r : status.hypertables()) {
      lines.add(cells(r));
    }
    if (status.hypertables().size() > 1) {
      lines.add(cells(total));
    }
    for (String line : table(lines)) {
      console.result(line);
    }
    console.result(
        String.format(
            Locale.ROOT,
            "Copied %d of %d chunks (%s of the staged on-disk size), verified %d (%s).",
            total.chunks() - total.pending() - total.copying() - total.copyFailed(),
            total.chunks(),
            percent(
                total.sourceBytesCopied(),
                total.sourceBytes(),
                total.chunks() - total.pending() - total.copying() - total.copyFailed(),
                total.chunks()),
            total.verified(),
            percent(
                total.sourceBytesVerified(),
                total.sourceBytes(),
                total.verified(),
                total.chunks())));
    for (Status.InFlight f : status.inFlight()) {
      console.result(
          "  "
              + f.kind()
              + "ing "
              + f.chunk().text()
              + (f.running() == null ? "" : " for " + Units.duration(f.running()))
              + (f.pid() == null ? "" : ", backend pid " + f.pid())
              + (f.client() == null ? "" : " from " + f.client()));
    }
    if (!status.failures().isEmpty()) {
      long all = total.copyFailed() + total.verifyFailed();
      console.result(
          "Failed"
              + (all > status.failures().size()
                  ? " (the first " + status.failures().size() + " of " + all + ")"
                  : "")
              + ":");
      for (Status.Failure f : status.failures()) {
        console.result("  " + f.kind() + " " + f.chunk().text() + ": " + f.message());
      }
      if (total.copyFailed() > 0) {
        console.result(
            "Failed copies stay pending: the next copy tries them again (fix the cause first).");
      }
      if (total.verifyFailed() > 0) {
        console.result(
            "To copy the chunks that failed verification again: " + VerifyCommand.REQUEUE_HINT);
      }
    }
    return 0;
  }

  private static String percent(long part, long whole, long chunks, long allChunks) {
    double f = whole > 0 ? (double) part / whole : allChunks == 0 ? 1 : (double) chunks / allChunks;
    return String.format(Locale.ROOT, "%.1f%%", f * 100);
  }

  private static String[] cells(Status.Row r) {
    return new String[] {
      r.hypertable(),
      Long.toString(r.chunks()),
      Long.toString(r.pending()),
      Long.toString(r.copying()),
      Long.toString(r.copied()),
      Long.toString(r.verifying()),
      Long.toString(r.verified()),
      Long.toString(r.copyFailed() + r.verifyFailed()),
      Units.count(r.rowsCopied()),
      Units.bytes(r.bytesCopied()),
      Units.bytes(r.sourceBytes())
    };
  }

  /** Left-aligned first column, right-aligned numbers. */
  private static List<String> table(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String pad = " ".repeat(width[i] - r[i].length());
        b.append(i == 0 ? r[i] + pad : "  " + pad + r[i]);
      }
      out.add(b.toString().stripTrailing());
    }
    return out;
  }

  private static Map<String, Object> json(Status s, Status.Row total) {
    List<Map<String, Object>> hts = new ArrayList<>();
    for (Status.Row r : s.hypertables()) {
      hts.add(row(r));
    }
    List<Map<String, Object>> flight = new ArrayList<>();
    for (Status.InFlight f : s.inFlight()) {
      Map<String, Object> m = Console.fields("kind", f.kind());
      m.putAll(Console.chunkFields(f.chunk()));
      m.putAll(
          Console.fields(
              "pid", f.pid(),
              "running_ms", f.running() == null ? null : f.running().toMillis(),
              "client", f.client()));
      flight.add(m);
    }
    List<Map<String, Object>> failures = new ArrayList<>();
    for (Status.Failure f : s.failures()) {
      Map<String, Object> m = Console.fields("kind", f.kind());
      m.putAll(Console.chunkFields(f.chunk()));
      m.putAll(Console.fields("message", f.message(), "sqlstate", f.sqlState()));
      failures.add(m);
    }
    return Console.fields(
        "hypertables", hts, "total", row(total), "in_flight", flight, "failures", failures);
  }

  private static Map<String, Object> row(Status.Row r) {
    return Console.fields(
        "hypertable", r.hypertable(),
        "chunks", r.chunks(),
        "pending", r.pending(),
        "copying", r.copying(),
        "copied", r.copied(),
        "verifying", r.verifying(),
        "verified", r.verified(),
        "copy_failed", r.copyFailed(),
        "verify_failed", r.verifyFailed(),
        "rows_copied", r.rowsCopied(),
        "copy_bytes", r.bytesCopied(),
        "source_bytes", r.sourceBytes(),
        "source_bytes_copied", r.sourceBytesCopied(),
        "source_bytes_verified", r.sourceBytesVerified());
  }
}
