package io.tsbackfill.cagg;

import io.tsbackfill.catalog.CaggHierarchy;
import io.tsbackfill.catalog.CaggWatermark;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ContinuousAggregate;
import io.tsbackfill.catalog.RegexFilter;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.config.RefreshCaggsConfig;
import io.tsbackfill.db.BackfillException;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.Sql;
import io.tsbackfill.db.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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

  /** A refresh to do on the target: the target cagg, its level and window, and its time type. */
  private record Planned(
      ContinuousAggregate cagg, int level, long start, long end, String timeType) {}

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
        s.setAutoCommit(false);
        Jdbc.execute(s, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
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
                : "no continuous aggregate on the source matches --filter '" + config.filter() + "'";
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
  private List<ContinuousAggregate> select(Connection s, CaggHierarchy caggs)
      throws SQLException {
    if (config.filter() == null) {
      return caggs.caggs();
    }
    Set<Integer> matched =
        new LinkedHashSet<>(
            Jdbc.query(
                s, Sql.load("catalog/caggs-matching"), rs -> rs.getInt(1), config.filter()));
    Set<Integer> ids = caggs.cascade(matched, config.cascadeUp(), config.cascadeDown());
    return caggs.caggs().stream().filter(ca -> ids.contains(ca.matHypertableId())).toList();
  }

  private RefreshResult refresh(Connection t, List<CaggWatermark> selected, Instant t0)
      throws SQLException {
    TimescaleInfo tInfo = Catalog.inspect(t, Side.TARGET);
    CaggHierarchy targetCaggs = new CaggHierarchy(Catalog.continuousAggregates(t));
    Map<Integer, Integer> levels = targetCaggs.levels();
    Map<Integer, CaggWatermark> targetMarks =
        Catalog.caggWatermarks(t, targetCaggs.caggs()).stream()
            .collect(Collectors.toMap(w -> w.cagg().matHypertableId(), w -> w));
    List<Planned> plan = new ArrayList<>();
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
      if (tgt.watermark() >= src.watermark()) {
        upToDate++;
        LOG.debug("{} is up to date on the target", src.cagg().plainName());
        continue;
      }
      plan.add(
          new Planned(
              onTarget.get(),
              levels.getOrDefault(onTarget.get().matHypertableId(), 0),
              tgt.watermark(),
              src.watermark(),
              tgt.timeType()));
    }
    plan.sort(Comparator.comparingInt(Planned::level).thenComparingLong(Planned::start));
    List<RefreshResult.Refresh> done = new ArrayList<>();
    for (Planned p : plan) {
      boolean fromBeginning = isBeginningOfTime(p.start(), p.timeType());
      String start = fromBeginning ? null : render(t, tInfo, p, p.start());
      String end = render(t, tInfo, p, p.end());
      Instant began = Instant.now();
      try {
        Jdbc.execute(
            t,
            "CALL "
                + tInfo.layout().function("refresh_continuous_aggregate")
                + "("
                + Ident.literal(p.cagg().viewIdent())
                + ", "
                + (start == null ? "NULL" : typed(start, p.timeType()))
                + ", "
                + typed(end, p.timeType())
                + ")");
      } catch (SQLException e) {
        throw BackfillException.database(
            Side.TARGET,
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
              Duration.between(began, Instant.now()));
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

  /** A bound as the cagg's time type shows it on the target (integers as they are). */
  private static String render(Connection t, TimescaleInfo tInfo, Planned p, long value)
      throws SQLException {
    String file =
        switch (p.timeType()) {
          case "smallint", "integer", "bigint" -> null;
          case "timestamp with time zone" -> "cagg/bound-timestamptz";
          case "timestamp without time zone" -> "cagg/bound-timestamp";
          case "date" -> "cagg/bound-date";
          default ->
              throw BackfillException.badState(
                  "continuous aggregate "
                      + p.cagg().plainName()
                      + " has time type "
                      + p.timeType()
                      + ", which refresh-caggs does not know how to bound");
        };
    if (file == null) {
      return Long.toString(value);
    }
    return Jdbc.queryOne(t, Sql.load(file, tInfo.procSchema()), rs -> rs.getString(1), value)
        .orElseThrow();
  }

  private static String typed(String value, String type) {
    return Ident.literal(value) + "::" + type;
  }
}
