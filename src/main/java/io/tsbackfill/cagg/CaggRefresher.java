package io.tsbackfill.cagg;

import io.tsbackfill.catalog.CaggHierarchy;
import io.tsbackfill.catalog.CaggWatermark;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ContinuousAggregate;
import io.tsbackfill.catalog.RegexFilter;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.config.RefreshCaggsConfig;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.db.Sql;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.CarriedInvalidations;
import io.tsbackfill.work.StandbyLag;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code refresh-caggs} engine. After a backfill the target's continuous aggregates lag behind
 * the source's: the copied materialized data reaches as far as the source's refreshes did, but the
 * target's watermarks (how far each cagg counts as materialized) stay where the target's own
 * refreshes left them. For each selected cagg present on both sides this refreshes the target over
 * [target watermark, source watermark), lowest hierarchy level first so that a cagg on a cagg reads
 * an up-to-date parent. Each refresh commits on its own; a failure leaves the earlier ones done.
 */
public final class CaggRefresher {
  private static final Logger LOG = LoggerFactory.getLogger(CaggRefresher.class);

  /** TimescaleDB's internal minimum for timestamp, timestamptz and date: 4714-11-24 00:00 BC. */
  private static final long TIMESTAMP_MIN_INTERNAL = -210866803200000000L;

  private final RefreshCaggsConfig config;
  private final RefreshListener listener;

  public CaggRefresher(RefreshCaggsConfig config, RefreshListener listener) {
    this.config = config;
    this.listener = listener;
  }

  /** Why a window is refreshed. */
  public enum Reason {
    /** Between the target's watermark and the source's: copying does not move watermarks. */
    WATERMARK_GAP,
    /**
     * Stale on the source when its materialization chunks were copied (see InvalidationCarrier).
     */
    CARRIED_INVALIDATIONS
  }

  /**
   * A refresh to do on the target: the target cagg, its level, window and time type, why, and for
   * carried invalidations how many carried ranges the cagg's windows cover.
   */
  private record Planned(
      ContinuousAggregate cagg,
      int level,
      long start,
      long end,
      String timeType,
      Reason reason,
      int carriedRanges) {}

  public RefreshResult run() {
    Instant t0 = Instant.now();
    try (Database source = Database.open(config.source(), 1);
        Database target = Database.open(config.target(), 1);
        Connection s = source.connect();
        Connection t = target.connect()) {
      List<CaggWatermark> selected;
      boolean sourceHasCaggs;
      try {
        RegexFilter.validate(s, config.filter());
        // A standby's watermarks are those it has replayed: a lagging one refreshes less, which
        // the next refresh-caggs makes up, so there is nothing to wait for here.
        SourceSnapshot snapshot =
            StandbyLag.prepare(s, StandbyLag.Need.NONE, Duration.ZERO, () -> false);
        s.setAutoCommit(false);
        snapshot.begin(s);
        CaggHierarchy caggs = new CaggHierarchy(Catalog.continuousAggregates(s));
        sourceHasCaggs = !caggs.caggs().isEmpty();
        selected = Catalog.caggWatermarks(s, select(s, caggs));
        s.rollback();
      } catch (SQLException e) {
        throw source.error("reading continuous aggregates", e);
      }
      if (selected.isEmpty()) {
        String why =
            !sourceHasCaggs
                ? "the source has no continuous aggregates"
                : "no continuous aggregate on the source matches --filter '"
                    + config.filter()
                    + "'";
        return new RefreshResult(List.of(), 0, 0, 0, Duration.between(t0, Instant.now()), why);
      }
      try {
        return refresh(t, selected, t0);
      } catch (SQLException e) {
        throw target.error("refreshing continuous aggregates", e);
      }
    } catch (SQLException e) {
      throw BackfillException.internal("closing connections", e);
    }
  }

  /** The caggs the filter and cascade flags select on the source (all without a filter). */
  private List<ContinuousAggregate> select(Connection s, CaggHierarchy caggs) throws SQLException {
    if (config.filter() == null) {
      return caggs.caggs();
    }
    Set<Integer> matched =
        new LinkedHashSet<>(
            Jdbc.query(s, Sql.load("catalog/caggs-matching"), rs -> rs.getInt(1), config.filter()));
    Set<Integer> ids = caggs.cascade(matched, config.cascadeUp(), config.cascadeDown());
    return caggs.caggs().stream().filter(ca -> ids.contains(ca.matHypertableId())).toList();
  }

  private RefreshResult refresh(Connection t, List<CaggWatermark> selected, Instant t0)
      throws SQLException {
    TimescaleInfo tInfo = Catalog.inspect(t, Side.TARGET);
    Optional<String> noSlot = InvalidationCarrier.missingWalSlot(t, tInfo);
    if (noSlot.isPresent()) {
      throw BackfillException.badState("the target cannot refresh: " + noSlot.get());
    }
    CaggHierarchy targetCaggs = new CaggHierarchy(Catalog.continuousAggregates(t));
    Map<Integer, Integer> levels = targetCaggs.levels();
    Map<Integer, CaggWatermark> targetMarks =
        Catalog.caggWatermarks(t, targetCaggs.caggs()).stream()
            .collect(Collectors.toMap(w -> w.cagg().matHypertableId(), w -> w));
    List<Planned> plan = new ArrayList<>();
    Map<Integer, List<Long>> carriedIds = new LinkedHashMap<>();
    boolean carried = CarriedInvalidations.exists(t);
    int upToDate = 0;
    int notOnTarget = 0;
    for (CaggWatermark src : selected) {
      Optional<ContinuousAggregate> onTarget =
          targetCaggs.caggs().stream().filter(ca -> ca.sameView(src.cagg())).findFirst();
      if (onTarget.isEmpty()) {
        notOnTarget++;
        LOG.info("{} is not in the target; not refreshed", src.cagg().plainName());
        continue;
      }
      CaggWatermark tgt = targetMarks.get(onTarget.get().matHypertableId());
      if (src.watermark() == null || tgt.watermark() == null) {
        LOG.warn(
            "{} has no watermark on the {}; not refreshed",
            src.cagg().plainName(),
            src.watermark() == null ? "source" : "target");
        continue;
      }
      ContinuousAggregate cagg = onTarget.get();
      int level = levels.getOrDefault(cagg.matHypertableId(), 0);
      Window gap = new Window(tgt.watermark(), src.watermark());
      List<Planned> forCagg = new ArrayList<>();
      if (!gap.isEmpty()) {
        forCagg.add(
            new Planned(
                cagg, level, gap.start(), gap.end(), tgt.timeType(), Reason.WATERMARK_GAP, 0));
      }
      if (carried) {
        List<CarriedInvalidations.Pending> pending =
            CarriedInvalidations.toRefresh(t, cagg.matSchema(), cagg.matTable());
        if (!pending.isEmpty()) {
          carriedIds.put(
              cagg.matHypertableId(), pending.stream().flatMap(p -> p.ids().stream()).toList());
          for (Window w :
              carriedWindows(t, tInfo, cagg, tgt.timeType(), pending, gap, src.watermark())) {
            forCagg.add(
                new Planned(
                    cagg,
                    level,
                    w.start(),
                    w.end(),
                    tgt.timeType(),
                    Reason.CARRIED_INVALIDATIONS,
                    pending.size()));
          }
        }
      }
      if (forCagg.isEmpty()) {
        upToDate++;
        LOG.debug("{} is up to date on the target", src.cagg().plainName());
      }
      plan.addAll(forCagg);
    }
    plan.sort(Comparator.comparingInt(Planned::level).thenComparingLong(Planned::start));
    // Carried ranges that need no window of their own (inside the watermark gap, or outside the
    // staged range) are done once planned; the others once their cagg's last window is.
    Map<Integer, Integer> lastWindow = new LinkedHashMap<>();
    for (int i = 0; i < plan.size(); i++) {
      if (plan.get(i).reason() == Reason.CARRIED_INVALIDATIONS) {
        lastWindow.put(plan.get(i).cagg().matHypertableId(), i);
      }
    }
    for (Map.Entry<Integer, List<Long>> e : carriedIds.entrySet()) {
      if (!lastWindow.containsKey(e.getKey())) {
        CarriedInvalidations.markRefreshed(t, e.getValue());
      }
    }
    List<RefreshResult.Refresh> done = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      boolean fromBeginning = isBeginningOfTime(p.start(), p.timeType());
      String start =
          fromBeginning
              ? null
              : TimeBounds.text(t, tInfo, p.timeType(), p.start(), p.cagg().plainName());
      String end = TimeBounds.text(t, tInfo, p.timeType(), p.end(), p.cagg().plainName());
      Instant began = Instant.now();
      try {
        refreshWindow(t, tInfo, p, start, end);
      } catch (SQLException e) {
        throw Side.TARGET.error(
            "refreshing "
                + p.cagg().plainName()
                + " from "
                + (start == null ? "the beginning" : start)
                + " to "
                + end
                + " failed (the refreshes before it are done): "
                + SqlStates.serverMessage(e),
            e);
      }
      RefreshResult.Refresh r =
          new RefreshResult.Refresh(
              p.cagg().plainName(),
              start,
              end,
              p.start(),
              p.end(),
              Duration.between(began, Instant.now()),
              p.reason(),
              p.carriedRanges());
      if (lastWindow.getOrDefault(p.cagg().matHypertableId(), -1) == i) {
        CarriedInvalidations.markRefreshed(t, carriedIds.get(p.cagg().matHypertableId()));
      }
      done.add(r);
      listener.onRefreshed(done.size(), plan.size(), r);
    }
    String nothing = null;
    if (done.isEmpty()) {
      nothing =
          (upToDate > 0 ? upToDate + " selected continuous aggregate(s) already up to date" : "")
              + (upToDate > 0 && notOnTarget > 0 ? ", " : "")
              + (notOnTarget > 0 ? notOnTarget + " not in the target" : "");
      if (nothing.isEmpty()) {
        nothing = "no selected continuous aggregate has a watermark on both sides";
      }
    }
    return new RefreshResult(
        done, selected.size(), upToDate, notOnTarget, Duration.between(t0, Instant.now()), nothing);
  }

  /**
   * The windows to refresh on the target for a cagg's carried invalidations: each carried range cut
   * to the staged time range of its materialization hypertable and below the source's watermark
   * (the source has materialized nothing beyond, so neither should the target), widened to the
   * cagg's buckets, joined, and without the watermark gap, which is refreshed anyway (all of it:
   * TimescaleDB counts everything past a watermark as invalid).
   */
  private static List<Window> carriedWindows(
      Connection t,
      TimescaleInfo tInfo,
      ContinuousAggregate cagg,
      String timeType,
      List<CarriedInvalidations.Pending> pending,
      Window gap,
      long sourceWatermark)
      throws SQLException {
    List<Window> cut = new ArrayList<>();
    for (CarriedInvalidations.Pending p : pending) {
      cut.add(
          Window.ofInclusive(p.range().lowest(), p.range().greatest())
              .intersect(p.stagedStart(), Math.min(p.stagedEnd(), sourceWatermark)));
    }
    List<Window> merged = Window.merge(cut);
    if (merged.isEmpty()) {
      return List.of();
    }
    BucketAligner aligner = BucketAligner.of(t, tInfo, cagg.matHypertableId(), timeType);
    return Window.subtract(Window.merge(aligner.align(t, merged)), gap);
  }

  /**
   * Refreshes one planned window. The watermark gap is a plain refresh: TimescaleDB counts all of
   * it as invalid. Carried invalidations are not in the target's logs, so their windows are
   * refreshed with {@code force => true} (2.22 and later); before that, the tool logs each window
   * as invalid on the target itself first, which takes write access to TimescaleDB's catalog.
   */
  private static void refreshWindow(
      Connection t, TimescaleInfo tInfo, Planned p, String start, String end) throws SQLException {
    if (p.reason() != Reason.CARRIED_INVALIDATIONS) {
      call(t, tInfo, p, start, end, "");
    } else if (!tInfo.layout().refreshTakesForce()) {
      logInvalid(t, p);
      // Only what is logged gets refreshed, widened to the cagg's own buckets: the window just
      // has to hold it (see widened).
      call(t, tInfo, p, widened(t, tInfo, p, -1), widened(t, tInfo, p, 1), "");
    } else {
      try {
        call(t, tInfo, p, start, end, ", force => true");
      } catch (SQLException e) {
        if (!SqlStates.INVALID_PARAMETER_VALUE.equals(SqlStates.of(e))) {
          throw e;
        }
        // "refresh window too small": see widened. A forced refresh of the wider window
        // re-materializes the buckets it overlaps, whole.
        LOG.debug(
            "{}: window {} to {} refused ({}); refreshing it widened",
            p.cagg().plainName(),
            start,
            end,
            SqlStates.serverMessage(e));
        call(t, tInfo, p, widened(t, tInfo, p, -1), widened(t, tInfo, p, 1), ", force => true");
      }
    }
  }

  /**
   * A planned window's start ({@code side} -1) or end (1) moved out by the window's own length. Up
   * to 2.22 TimescaleDB shrinks a refresh window to buckets aligned without the cagg's offset or
   * origin, so a window of exactly one offset bucket comes out empty; one that much wider holds a
   * whole bucket whatever the alignment.
   */
  private static String widened(Connection t, TimescaleInfo tInfo, Planned p, int side)
      throws SQLException {
    long length = p.end() - p.start();
    long value = side < 0 ? p.start() - length : p.end() + length;
    return TimeBounds.text(t, tInfo, p.timeType(), value, p.cagg().plainName());
  }

  private static void call(
      Connection t, TimescaleInfo tInfo, Planned p, String start, String end, String options)
      throws SQLException {
    Jdbc.execute(
        t,
        "CALL "
            + tInfo.layout().function("refresh_continuous_aggregate")
            + "("
            + Ident.literal(p.cagg().viewIdent())
            + ", "
            + (start == null ? "NULL" : TimeBounds.typed(start, p.timeType()))
            + ", "
            + TimeBounds.typed(end, p.timeType())
            + options
            + ")");
  }

  /** Logs a planned window as invalid in the target's own materialization invalidation log. */
  private static void logInvalid(Connection t, Planned p) throws SQLException {
    try {
      Jdbc.update(
          t, Sql.load("cagg/log-invalid"), p.cagg().matHypertableId(), p.start(), p.end() - 1);
    } catch (SQLException e) {
      if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(SqlStates.of(e))) {
        throw Side.TARGET.error(
            "refreshing the carried invalidations of "
                + p.cagg().plainName()
                + ": this TimescaleDB has no forced refresh, so the tool logs the window as"
                + " invalid in _timescaledb_catalog.continuous_aggs_materialization_invalidation_log"
                + " first, which only the extension's owner may write: run refresh-caggs as that"
                + " role (the refreshes before this one are done)",
            e);
      }
      throw e;
    }
  }

  /**
   * Whether a watermark is the minimum of its type, which TimescaleDB reports for a cagg that has
   * materialized nothing yet. Such a refresh starts at NULL (the beginning): some bucketings fail
   * on the minimum itself (a monthly cagg: "timestamp out of range").
   */
  static boolean isBeginningOfTime(long watermark, String timeType) {
    return switch (timeType) {
      case "smallint" -> watermark <= Short.MIN_VALUE;
      case "integer" -> watermark <= Integer.MIN_VALUE;
      case "bigint" -> watermark == Long.MIN_VALUE;
      default -> watermark <= TIMESTAMP_MIN_INTERNAL;
    };
  }
}
