package io.tsbackfill.verify;

import io.tsbackfill.cagg.InvalidationCarrier;
import io.tsbackfill.cagg.TimeBounds;
import io.tsbackfill.catalog.CaggWatermark;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ContinuousAggregate;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.CarriedInvalidations;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code verify --caggs}: proves the copied continuous aggregates right once both sides are
 * refreshed. For every cagg whose materialization chunks were staged, compares its materialized
 * rows between source and target over the staged time range, up to the lower of the two watermarks
 * (beyond, a side has materialized nothing yet), range by range along the staged chunks (and the
 * gaps between them, where a refresh may have materialized rows that no chunk carried): the same
 * summary as chunk verification (row count; per column non-NULL count, min, max, sum, floats within
 * the summation-order tolerance). A difference names the cagg, the range and every differing
 * aggregate, and says when the source or target still has invalidations pending there (a side that
 * has not refreshed its changes cannot agree yet).
 */
public final class CaggVerifier {
  /** One compared range of one cagg; {@code differences} is empty when it is equal. */
  public record Checked(
      String cagg,
      String start,
      String end,
      long sourceRows,
      List<String> differences,
      String pendingNote) {
    public boolean equal() {
      return differences.isEmpty();
    }
  }

  /** Told about each compared range as soon as it is compared. */
  @FunctionalInterface
  public interface Listener {
    void onChecked(Checked checked);
  }

  /** What a run compared: every range, the caggs compared, and how long it took. */
  public record Result(List<Checked> checked, int caggs, Duration elapsed) {
    public long different() {
      return checked.stream().filter(c -> !c.equal()).count();
    }
  }

  /** A staged chunk's time slice: its column and [start, end) in internal time. */
  record Slice(String column, long start, long end) {}

  private record Staged(
      String sourceSchema,
      String sourceTable,
      String targetSchema,
      String targetTable,
      List<Slice> slices) {}

  private final ConnectionSpec sourceSpec;
  private final ConnectionSpec targetSpec;
  private final Listener listener;

  /** How the source is read: set by {@link #run} (a hot standby refuses SERIALIZABLE). */
  private SourceSnapshot snapshot = SourceSnapshot.PRIMARY;

  public CaggVerifier(ConnectionSpec source, ConnectionSpec target, Listener listener) {
    this.sourceSpec = source;
    this.targetSpec = target;
    this.listener = listener;
  }

  public Result run() {
    Instant t0 = Instant.now();
    try (Database source = Database.open(sourceSpec, 1);
        Database target = Database.open(targetSpec, 1);
        Connection s = source.connect();
        Connection t = target.connect()) {
      TimescaleInfo sInfo;
      TimescaleInfo tInfo;
      List<Staged> staged;
      Map<String, ContinuousAggregate> sourceCaggs = new LinkedHashMap<>();
      Map<String, ContinuousAggregate> targetCaggs = new LinkedHashMap<>();
      try {
        tInfo = Catalog.inspect(t, Side.TARGET);
        if (!TaskStore.schemaExists(t)) {
          throw BackfillException.badState(
              "the target has no __backfill schema: run 'timescaledb-backfill stage', 'copy' and"
                  + " 'refresh-caggs' before verify --caggs");
        }
        staged = staged(t);
        for (ContinuousAggregate ca : Catalog.continuousAggregates(t)) {
          targetCaggs.put(ca.matSchema() + "." + ca.matTable(), ca);
        }
      } catch (SQLException e) {
        throw target.error("reading the task list", e);
      }
      try {
        sInfo = Catalog.inspect(s, Side.SOURCE);
        snapshot = SourceSnapshot.of(s);
        for (ContinuousAggregate ca : Catalog.continuousAggregates(s)) {
          sourceCaggs.put(ca.matSchema() + "." + ca.matTable(), ca);
        }
      } catch (SQLException e) {
        throw source.error("reading the continuous aggregates", e);
      }
      List<Checked> out = new ArrayList<>();
      int caggs = 0;
      for (Staged st : staged) {
        ContinuousAggregate src = sourceCaggs.get(st.sourceSchema() + "." + st.sourceTable());
        ContinuousAggregate tgt = targetCaggs.get(st.targetSchema() + "." + st.targetTable());
        if (src == null || tgt == null) {
          continue; // a plain hypertable: chunk verification covers it
        }
        caggs++;
        out.addAll(compare(s, sInfo, source, t, tInfo, target, st, src, tgt));
      }
      if (caggs == 0) {
        throw BackfillException.badState(
            "no continuous aggregate is staged: verify --caggs compares the caggs whose"
                + " materialization chunks stage staged and copy copied");
      }
      return new Result(out, caggs, Duration.between(t0, Instant.now()));
    } catch (SQLException e) {
      throw BackfillException.internal("closing connections", e);
    }
  }

  private List<Checked> compare(
      Connection s,
      TimescaleInfo sInfo,
      Database source,
      Connection t,
      TimescaleInfo tInfo,
      Database target,
      Staged st,
      ContinuousAggregate src,
      ContinuousAggregate tgt)
      throws SQLException {
    CaggWatermark sw;
    CaggWatermark tw;
    try {
      sw = Catalog.caggWatermarks(s, List.of(src)).get(0);
    } catch (SQLException e) {
      throw source.error("reading the watermark of " + src.plainName(), e);
    }
    Summary summary;
    List<long[]> ranges;
    try {
      tw = Catalog.caggWatermarks(t, List.of(tgt)).get(0);
      summary = Summary.forRelation(t, st.targetSchema(), st.targetTable());
    } catch (SQLException e) {
      throw target.error("reading the watermark of " + tgt.plainName(), e);
    }
    long upTo = Math.min(orMin(sw.watermark()), orMin(tw.watermark()));
    ranges = ranges(st.slices(), upTo);
    String column = Ident.quote(st.slices().get(0).column());
    List<Checked> out = new ArrayList<>();
    for (long[] r : ranges) {
      String from;
      String to;
      try {
        from = TimeBounds.literal(t, tInfo, tw.timeType(), r[0], tgt.plainName());
        to = TimeBounds.literal(t, tInfo, tw.timeType(), r[1], tgt.plainName());
      } catch (SQLException e) {
        throw target.error("rendering the range of " + tgt.plainName(), e);
      }
      String where = " WHERE " + column + " >= " + from + " AND " + column + " < " + to;
      List<String> sv;
      List<String> tv;
      String note;
      try {
        s.setAutoCommit(false);
        snapshot.begin(s);
        sv = summary.run(s, Ident.qname(st.sourceSchema(), st.sourceTable()) + where);
        note =
            pendingNote(
                "source",
                InvalidationCarrier.pending(s, sInfo, st.sourceSchema(), st.sourceTable()),
                r);
        s.commit();
        s.setAutoCommit(true);
      } catch (SQLException e) {
        throw source.error("reading the materialized rows of " + src.plainName(), e);
      }
      try {
        tv = summary.run(t, Ident.qname(st.targetSchema(), st.targetTable()) + where);
        String targetNote =
            pendingNote(
                "target",
                InvalidationCarrier.pending(t, tInfo, st.targetSchema(), st.targetTable()),
                r);
        note = join(note, targetNote);
        if (CarriedInvalidations.exists(t)) {
          long carried =
              CarriedInvalidations.toRefresh(t, st.targetSchema(), st.targetTable()).stream()
                  .filter(p -> p.range().lowest() < r[1] && p.range().greatest() >= r[0])
                  .count();
          if (carried > 0) {
            note =
                join(
                    note,
                    "the target has "
                        + carried
                        + " carried invalidation range"
                        + (carried == 1 ? "" : "s")
                        + " there that refresh-caggs has not refreshed yet");
          }
        }
      } catch (SQLException e) {
        throw target.error("reading the materialized rows of " + tgt.plainName(), e);
      }
      List<String> differences = Comparison.differences(summary, sv, tv);
      Checked c =
          new Checked(
              tgt.plainName(),
              strip(from),
              strip(to),
              Long.parseLong(sv.get(0)),
              differences,
              note);
      listener.onChecked(c);
      out.add(c);
    }
    return out;
  }

  /**
   * The ranges to compare: each staged slice, and each gap between consecutive slices, cut to end
   * at {@code upTo} (the lower watermark); none when nothing is materialized on one side.
   */
  static List<long[]> ranges(List<Slice> slices, long upTo) {
    List<long[]> out = new ArrayList<>();
    long reached = Long.MIN_VALUE;
    for (Slice sl : slices) {
      if (reached != Long.MIN_VALUE && sl.start() > reached) {
        add(out, reached, sl.start(), upTo);
      }
      add(
          out,
          Math.max(sl.start(), reached == Long.MIN_VALUE ? sl.start() : reached),
          sl.end(),
          upTo);
      reached = Math.max(reached, sl.end());
    }
    return out;
  }

  private static void add(List<long[]> out, long start, long end, long upTo) {
    long e = Math.min(end, upTo);
    if (start < e) {
      out.add(new long[] {start, e});
    }
  }

  /** Why a side may not agree yet: its pending invalidations overlapping the range, if any. */
  private static String pendingNote(
      String side, List<CarriedInvalidations.Range> pending, long[] r) {
    long n = pending.stream().filter(p -> p.lowest() < r[1] && p.greatest() >= r[0]).count();
    return n == 0
        ? null
        : "the "
            + side
            + " has "
            + n
            + " invalidation range"
            + (n == 1 ? "" : "s")
            + " pending there, not refreshed yet";
  }

  private static String join(String a, String b) {
    return a == null ? b : b == null ? a : a + "; " + b;
  }

  private static long orMin(Long watermark) {
    return watermark == null ? Long.MIN_VALUE : watermark;
  }

  /** A typed literal as the text it renders, for messages. */
  private static String strip(String literal) {
    int cast = literal.lastIndexOf("::");
    String v = cast < 0 ? literal : literal.substring(0, cast);
    return v.startsWith("'") && v.endsWith("'") ? v.substring(1, v.length() - 1) : v;
  }

  private static List<Staged> staged(Connection t) throws SQLException {
    Map<String, Staged> out = new LinkedHashMap<>();
    for (Object[] row :
        Jdbc.query(
            t,
            Sql.load("verify/staged-slices"),
            rs ->
                new Object[] {
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  new Slice(rs.getString(5), rs.getLong(6), rs.getLong(7))
                })) {
      String key = row[0] + "." + row[1] + "\u0000" + row[2] + "." + row[3];
      out.computeIfAbsent(
              key,
              k ->
                  new Staged(
                      (String) row[0],
                      (String) row[1],
                      (String) row[2],
                      (String) row[3],
                      new ArrayList<>()))
          .slices()
          .add((Slice) row[4]);
    }
    return List.copyOf(out.values());
  }
}
