package io.tsbackfill.work;

import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.report.Units;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hot standby as the source. Says so once, and before any row is read makes sure the standby has
 * replayed everything the primary committed before the cut-over ({@code --until}): otherwise rows
 * below the cut-over that the primary has and the standby has not yet would be missing from the
 * target for good (the application writes only rows after the cut-over to both sides).
 *
 * <p>The measure is {@code pg_last_xact_replay_timestamp()}, the commit time of the last
 * transaction the standby replayed: once it is at or past {@code --until}, every transaction the
 * primary committed before {@code --until} is there. Until then the check waits, up to {@code
 * --standby-wait}, saying what it waits for, and else stops with the lag named. Integer time says
 * nothing about commit times: for it the check can only warn.
 */
public final class StandbyLag {
  private static final Logger LOG = LoggerFactory.getLogger(StandbyLag.class);
  private static final long POLL_MS = 500;
  private static final Duration REPORT_EVERY = Duration.ofSeconds(30);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

  private StandbyLag() {}

  /**
   * What the reads to come need of a standby: replay past {@code until} (null: no datetime bound),
   * and how many of the tasks (or hypertables) have no bound it can judge (integer time).
   */
  public record Need(Instant until, long unjudged, String unjudgedWhat) {
    /** Nothing to wait for: the source is only to be told apart. */
    public static final Need NONE = new Need(null, 0, "");
  }

  /**
   * Asks the source whether it is a hot standby, says so once, and on a standby waits for {@code
   * need} as the class says, at most {@code maxWait}, or until {@code stopping}. Answers how the
   * source is to be read.
   */
  public static SourceSnapshot prepare(
      Database source, Need need, Duration maxWait, BooleanSupplier stopping) {
    try (Connection s = source.connect()) {
      return prepare(s, need, maxWait, stopping);
    } catch (SQLException e) {
      throw source.error("checking how far the standby has replayed", e);
    }
  }

  /** {@link #prepare(Database, Need, Duration, BooleanSupplier)} on a source connection. */
  public static SourceSnapshot prepare(
      Connection s, Need need, Duration maxWait, BooleanSupplier stopping) throws SQLException {
    SourceSnapshot mode = SourceSnapshot.of(s);
    if (!mode.standby()) {
      return mode;
    }
    LOG.info(
        "The source is a hot standby (pg_is_in_recovery()): it is read in {} transactions,"
            + " and nothing is written to it",
        mode.isolation());
    if (need.unjudged() > 0) {
      LOG.warn(
          "{} {} integer time (or were staged by an earlier version), so the standby's lag"
              + " cannot be judged against --until for them:"
              + " before copying, make sure it has replayed everything the primary committed"
              + " before the cut-over (pg_last_wal_replay_lsn() here at or past"
              + " pg_current_wal_lsn() taken on the primary after the cut-over)",
          need.unjudged(),
          need.unjudgedWhat());
    }
    if (need.until() != null) {
      await(s, need.until(), maxWait, stopping);
    }
    return mode;
  }

  private static void await(Connection s, Instant until, Duration maxWait, BooleanSupplier stopping)
      throws SQLException {
    long start = System.nanoTime();
    long nextReport = 0;
    boolean waited = false;
    while (true) {
      Replay r = replay(s);
      if (r.last() != null && !r.last().isBefore(until)) {
        if (waited) {
          LOG.info("The standby has replayed past {}; reading from it", time(until));
        }
        return;
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (elapsed.compareTo(maxWait) >= 0) {
        throw BackfillException.badState(
            "the source standby has not replayed past the staged --until "
                + time(until)
                + " within --standby-wait "
                + Units.duration(maxWait)
                + ": "
                + r.describe(until)
                + ". Rows below the cut-over may not be on it yet. Wait for it to catch up"
                + (r.paused() ? " (replay is paused: SELECT pg_wal_replay_resume() on it)" : "")
                + ", raise --standby-wait, or read from the primary; if the primary has had no"
                + " write since --until, any write there lets the standby show it has caught up");
      }
      if (elapsed.toNanos() >= nextReport) {
        LOG.info(
            "Waiting up to {} for the source standby to replay past the staged --until {}: {}",
            Units.duration(maxWait.minus(elapsed)),
            time(until),
            r.describe(until)
                + (r.paused() ? "; replay is paused (SELECT pg_wal_replay_resume() on it)" : ""));
        nextReport = elapsed.toNanos() + REPORT_EVERY.toNanos();
      }
      waited = true;
      if (stopping.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The standby's replay: the commit time of its last replayed transaction, and whether paused. */
  private record Replay(Instant last, boolean paused) {
    String describe(Instant until) {
      if (last == null) {
        return "it has replayed no transaction since it started";
      }
      return "its last replayed transaction committed at "
          + time(last)
          + ", "
          + Units.duration(Duration.between(last, until))
          + " before it";
    }
  }

  private static Replay replay(Connection s) throws SQLException {
    return Jdbc.queryOne(
            s,
            "SELECT pg_last_xact_replay_timestamp(), pg_is_wal_replay_paused()",
            rs -> {
              OffsetDateTime last = rs.getObject(1, OffsetDateTime.class);
              return new Replay(last == null ? null : last.toInstant(), rs.getBoolean(2));
            })
        .orElseThrow();
  }

  private static String time(Instant i) {
    return TIME.format(i.atOffset(ZoneOffset.UTC));
  }
}
