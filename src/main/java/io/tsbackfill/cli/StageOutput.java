package io.tsbackfill.cli;

import io.tsbackfill.jobs.JobReport;
import io.tsbackfill.jobs.JobResumer;
import io.tsbackfill.jobs.ScheduledJob;
import io.tsbackfill.report.Units;
import io.tsbackfill.stage.StagePreview;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders what {@code stage --dry-run} would do, and the background-job lines of {@code stage},
 * {@code resume-jobs} and {@code clean --resume-jobs}, as text and as JSON fields.
 */
final class StageOutput {
  private StageOutput() {}

  /** One notice per job: paused, would be paused, or left running (with the hint to pause it). */
  static void jobs(Console console, JobReport report, boolean dryRun, boolean pauseJobs) {
    for (ScheduledJob j : report.jobs()) {
      if (report.paused()) {
        console.notice("Paused " + j.describe() + " (resume-jobs re-enables it)");
      } else if (dryRun && pauseJobs) {
        console.notice("Would pause " + j.describe());
      } else {
        console.warning(
            "Warning: scheduled "
                + j.describe()
                + " may run during the backfill; pause it (stage --pause-jobs, or"
                + " alter_job("
                + j.id()
                + ", scheduled => false))");
      }
    }
    if (report.note() != null) {
      console.notice(report.note());
    }
  }

  static List<Map<String, Object>> jobsJson(List<ScheduledJob> jobs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ScheduledJob j : jobs) {
      out.add(
          Console.fields(
              "job_id", j.id(), "name", j.name(), "proc", j.proc(), "touches", j.touches()));
    }
    return out;
  }

  static void preview(Console console, StagePreview p, boolean pauseJobs) {
    List<Map<String, Object>> hypertables = new ArrayList<>();
    for (StagePreview.HypertablePreview h : p.hypertables()) {
      List<Map<String, Object>> chunks = new ArrayList<>();
      for (StagePreview.ChunkPreview c : h.chunks()) {
        Map<String, Object> chunk = Console.chunkFields(c.chunk());
        chunk.putAll(
            Console.fields(
                "source_bytes", c.bytes(),
                "filter", c.filter(),
                "path", c.path(),
                "target_chunk", c.targetChunk(),
                "creates_target_chunk", c.createsTargetChunk(),
                "target_rows_to_delete", c.targetRowsToDelete()));
        chunks.add(chunk);
      }
      hypertables.add(
          Console.fields(
              "hypertable", h.hypertable(),
              "continuous_aggregate", h.cagg(),
              "target_hypertable", h.targetHypertable(),
              "chunks", h.chunks().size(),
              "partial", h.cut().size(),
              "source_bytes", h.bytes(),
              "target_rows_to_delete", h.targetRowsToDelete(),
              "until", h.until(),
              "from", h.from(),
              "oldest", h.oldest(),
              "newest", h.newest(),
              "chunk_list", chunks));
    }
    console.event(
        "summary",
        Console.fields(
            "command", "stage",
            "dry_run", true,
            "would_stage", p.chunks(),
            "already_staged", p.alreadyStaged(),
            "source_bytes", p.bytes(),
            "target_rows_to_delete", p.targetRowsToDelete(),
            "hypertables", hypertables,
            "jobs", jobsJson(p.jobs().jobs()),
            "would_pause_jobs", pauseJobs && !p.jobs().jobs().isEmpty()));

    console.result("Dry run: nothing is written to the target.");
    if (p.alreadyStaged() > 0) {
      console.result(
          p.alreadyStaged()
              + " chunk"
              + (p.alreadyStaged() == 1 ? " is" : "s are")
              + " staged already and would be skipped");
    }
    for (StagePreview.HypertablePreview h : p.hypertables()) {
      console.result(
          "  "
              + h.label()
              + ": "
              + h.chunks().size()
              + " chunk"
              + (h.chunks().size() == 1 ? "" : "s")
              + " ("
              + Units.bytes(h.bytes())
              + " on-disk size), "
              + h.cut().size()
              + " cut by a bound, until "
              + h.until()
              + (h.from() == null ? "" : ", from " + h.from())
              + (h.oldest() == null
                  ? "; no rows on the source"
                  : "; source rows from " + h.oldest() + " to " + h.newest())
              + "; copy would delete "
              + Units.count(h.targetRowsToDelete())
              + " target row"
              + (h.targetRowsToDelete() == 1 ? "" : "s"));
      for (StagePreview.ChunkPreview c : h.cut()) {
        console.result(
            "    cut: "
                + c.chunk().range().text()
                + " "
                + c.chunk().sourceChunk()
                + " where "
                + c.filter()
                + " ("
                + c.path()
                + (c.createsTargetChunk() ? ", stage creates the target chunk" : "")
                + ", "
                + Units.count(c.targetRowsToDelete())
                + " target row"
                + (c.targetRowsToDelete() == 1 ? "" : "s")
                + " to delete)");
      }
    }
    console.result(
        "Would stage "
            + p.chunks()
            + " chunk"
            + (p.chunks() == 1 ? "" : "s")
            + " ("
            + Units.bytes(p.bytes())
            + " on-disk size); copy would delete "
            + Units.count(p.targetRowsToDelete())
            + " target row"
            + (p.targetRowsToDelete() == 1 ? "" : "s")
            + " before writing. Run without --dry-run to stage.");
  }

  /** The lines and JSON of resumed jobs; returns the JSON list. */
  static List<Map<String, Object>> resumed(Console console, List<JobResumer.Resumed> resumed) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JobResumer.Resumed r : resumed) {
      String what =
          switch (r.outcome()) {
            case RESUMED -> "Resumed ";
            case ALREADY_SCHEDULED -> "Already scheduled again, left as it is: ";
            case GONE -> "Gone since stage paused it: ";
          };
      console.result(what + r.job().describe());
      Map<String, Object> m =
          Console.fields(
              "job_id", r.job().id(),
              "name", r.job().name(),
              "proc", r.job().proc(),
              "touches", r.job().touches(),
              "outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
      out.add(m);
    }
    return out;
  }
}
