package io.tsbackfill.jobs;

import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * The target's TimescaleDB background jobs that would interfere with a backfill: refresh, retention
 * and compression policies, and custom jobs, on the staged hypertables and on the continuous
 * aggregates built on them. A refresh during the copy materializes half-copied data, a retention
 * job drops chunks being filled, a compression job compresses them. {@code stage} names them; with
 * {@code --pause-jobs} it pauses them ({@code alter_job(id, scheduled => false)}) in its own
 * transaction and records them in {@code __backfill.paused_job}, so that {@link JobResumer}
 * re-enables exactly those.
 */
public final class BackgroundJobs {
  private BackgroundJobs() {}

  /** A target hypertable, by schema and table name. */
  public record Table(String schema, String table) {}

  /**
   * The scheduled jobs touching {@code hypertables} or the caggs built on them (at any level), by
   * job id. Jobs that are paused already are not listed.
   */
  public static List<ScheduledJob> touching(Connection t, Collection<Table> hypertables)
      throws SQLException {
    if (hypertables.isEmpty()) {
      return List.of();
    }
    Object schemas = t.createArrayOf("text", hypertables.stream().map(Table::schema).toArray());
    Object tables = t.createArrayOf("text", hypertables.stream().map(Table::table).toArray());
    return Jdbc.query(
        t,
        Sql.load("jobs/touching"),
        rs -> new ScheduledJob(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)),
        schemas,
        tables);
  }

  /**
   * What the stage command does about jobs in its open target transaction: finds those touching the
   * {@code staged} hypertables and, when asked, pauses them and records them. The caller commits.
   */
  public static JobReport onStage(
      Connection t, TimescaleInfo targetInfo, Collection<Table> staged, boolean pause)
      throws SQLException {
    List<ScheduledJob> jobs = touching(t, staged);
    if (!pause) {
      return new JobReport(jobs, false, null);
    }
    if (jobs.isEmpty()) {
      return new JobReport(jobs, false, nothingToPause(targetInfo));
    }
    Jdbc.execute(t, Sql.load("jobs/create-paused-table"));
    for (ScheduledJob j : jobs) {
      Jdbc.query(t, targetInfo.layout().sql("jobs/pause"), rs -> rs.getInt(1), j.id());
      Jdbc.update(t, Sql.load("jobs/record-paused"), j.id(), j.name(), j.proc(), j.touches());
    }
    return new JobReport(jobs, true, null);
  }

  /** What a dry run says it would do about the jobs. */
  public static JobReport preview(
      Connection t, TimescaleInfo targetInfo, Collection<Table> staged, boolean pause)
      throws SQLException {
    List<ScheduledJob> jobs = touching(t, staged);
    return new JobReport(jobs, false, pause && jobs.isEmpty() ? nothingToPause(targetInfo) : null);
  }

  private static String nothingToPause(TimescaleInfo targetInfo) {
    return targetInfo.hasTimescaleLicense()
        ? "--pause-jobs: no scheduled job touches the staged hypertables or their continuous"
            + " aggregates; nothing paused"
        : "--pause-jobs: the target's TimescaleDB has the Apache license, which has no refresh,"
            + " retention or compression policies; nothing paused";
  }
}
