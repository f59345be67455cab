package io.tsbackfill.cagg;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.task.CarriedInvalidations;
import io.tsbackfill.task.Task;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Carries the source's knowledge of stale continuous-aggregate rows to the target. A
 * materialization chunk is copied as the source holds it, including buckets the source knows to be
 * stale: rows changed since they were materialized, logged but not refreshed yet. The target never
 * sees those changes (copy logs no invalidations for the rows it writes), so without help those
 * buckets would stay wrong on the target after any refresh. With each materialization chunk, in the
 * chunk's source snapshot and target transaction, this records the source's pending invalidations
 * of that cagg and of every cagg below it, for refresh-caggs to refresh on the target.
 */
public final class InvalidationCarrier {
  /** The invalidation trigger of TimescaleDB up to 2.22. */
  public static final String INVALIDATION_TRIGGER = "ts_cagg_invalidation_trigger";

  private final TimescaleInfo sourceInfo;
  private final Set<String> materializations;

  private InvalidationCarrier(TimescaleInfo sourceInfo, Set<String> materializations) {
    this.sourceInfo = sourceInfo;
    this.materializations = materializations;
  }

  /** Reads which source hypertables are cagg materializations. */
  public static InvalidationCarrier prepare(Connection s, TimescaleInfo sourceInfo)
      throws SQLException {
    Set<String> mats =
        Catalog.continuousAggregates(s).stream()
            .map(ca -> ca.matSchema() + "." + ca.matTable())
            .collect(Collectors.toUnmodifiableSet());
    return new InvalidationCarrier(sourceInfo, mats);
  }

  /** Whether the source has any continuous aggregate (else nothing is ever carried). */
  public boolean any() {
    return !materializations.isEmpty();
  }

  /** Whether {@code task} copies a materialization chunk, for which staleness is carried. */
  public boolean carriesFor(Task task) {
    return materializations.contains(task.hypertableSchema() + "." + task.hypertableName());
  }

  /**
   * Why the target will log this copy's rows as invalidations anyway (its refresh policies then
   * re-materialize them once; correct, but work), one line per staged hypertable affected; empty
   * when the target can suppress them. Up to 2.22 the tool drops the trigger for each chunk's
   * transaction, from 2.28 it sets {@code timescaledb.skip_cagg_invalidation}; hypertables whose
   * caggs decode the WAL (2.22) and every release from 2.23 to 2.27 offer no way.
   */
  public static List<String> unsuppressed(Connection t, TimescaleInfo targetInfo)
      throws SQLException {
    if (targetInfo.layout().hasSkipCaggInvalidation() || !targetInfo.hasTimescaleLicense()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String[] h :
        Jdbc.query(
            t,
            Sql.load("cagg/staged-hypertables-logging"),
            rs -> new String[] {rs.getString(1), rs.getBoolean(2) ? "t" : null},
            INVALIDATION_TRIGGER)) {
      if (h[1] != null) {
        continue;
      }
      out.add(
          targetInfo.layout().hasInvalidationTrigger()
              ? h[0] + ": its continuous aggregates decode the WAL for invalidations"
                  + " (timescaledb.invalidate_using = 'wal'), which dropping no trigger stops"
              : h[0] + ": TimescaleDB " + targetInfo.version() + " logs every change of a"
                  + " hypertable with continuous aggregates and offers no way to skip it before"
                  + " 2.28");
    }
    return out;
  }

  /**
   * What the source's open snapshot knows to be stale in the cagg whose materialization chunk
   * {@code task} copies (see {@link #carriesFor}): the merged pending ranges of its logs and of
   * the logs of the caggs below it.
   */
  public List<CarriedInvalidations.Range> pending(Connection s, Task task) throws SQLException {
    return pending(s, sourceInfo, task.hypertableSchema(), task.hypertableName());
  }

  /**
   * What {@code c}'s open snapshot knows to be stale in the cagg of materialization hypertable
   * schema.table: the merged pending ranges of its logs and of the logs of the caggs below it.
   */
  public static List<CarriedInvalidations.Range> pending(
      Connection c, TimescaleInfo info, String schema, String table) throws SQLException {
    List<CarriedInvalidations.Range> ranges = new ArrayList<>();
    for (Object[] row :
        Jdbc.query(
            c,
            info.layout().sql("cagg/pending-invalidations"),
            rs ->
                new Object[] {
                  new CarriedInvalidations.Range(
                      rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)),
                  rs.getString(5)
                },
            schema,
            table)) {
      CarriedInvalidations.Range r = (CarriedInvalidations.Range) row[0];
      // TimescaleDB keeps an entry ending before the first value of the type, below anything
      // materialized: nothing to refresh there.
      if (!CaggRefresher.isBeginningOfTime(r.greatest(), (String) row[1])) {
        ranges.add(r);
      }
    }
    return ranges;
  }
}
