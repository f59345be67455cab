package io.tsbackfill.cagg;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.Sql;
import io.tsbackfill.task.CarriedInvalidations;
import io.tsbackfill.task.Task;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
  public static final String INVALIDATION_TRIGGER = Catalog.INVALIDATION_TRIGGER;

  private final TimescaleInfo sourceInfo;
  private final Set<String> materializations;

  private InvalidationCarrier(TimescaleInfo sourceInfo, Set<String> materializations) {
    this.sourceInfo = sourceInfo;
    this.materializations = materializations;
  }

  /**
   * Reads which source hypertables are cagg materializations. Where continuous aggregates decode
   * the WAL (TimescaleDB 2.22), their pending changes wait in a replication slot that only a
   * superuser or a role with REPLICATION may read: refused here, before any chunk is copied.
   */
  public static InvalidationCarrier prepare(Connection s, TimescaleInfo sourceInfo)
      throws SQLException {
    if (sourceInfo.layout().hasWalInvalidation()) {
      Optional<Boolean> readable =
          Jdbc.queryOne(s, Sql.load("cagg/wal-slot"), rs -> rs.getBoolean(2));
      if (readable.isPresent() && !readable.get()) {
        throw Side.SOURCE.error(
            "continuous aggregates decode the WAL for invalidations"
                + " (timescaledb.invalidate_using = 'wal'): to carry the changes they have not"
                + " refreshed yet, copy peeks at their replication slot, which takes a role with"
                + " REPLICATION (ALTER ROLE ... REPLICATION) or a superuser",
            null);
      }
    }
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
              ? h[0]
                  + ": its continuous aggregates decode the WAL for invalidations"
                  + " (timescaledb.invalidate_using = 'wal'), which dropping no trigger stops"
              : h[0]
                  + ": TimescaleDB "
                  + targetInfo.version()
                  + " logs every change of a"
                  + " hypertable with continuous aggregates and offers no way to skip it before"
                  + " 2.28");
    }
    return out;
  }

  /**
   * On a database whose continuous aggregates decode the WAL (TimescaleDB 2.22) but which lacks the
   * replication slot they decode it through (a schema restore does not bring slots): why, and the
   * statement that creates it. TimescaleDB then records no change of those hypertables and fails
   * every refresh of their caggs.
   */
  public static Optional<String> missingWalSlot(Connection c, TimescaleInfo info)
      throws SQLException {
    if (!info.layout().hasWalInvalidation()) {
      return Optional.empty();
    }
    return Jdbc.queryOne(
        c,
        info.layout().sql("cagg/wal-slot-missing"),
        rs ->
            "its continuous aggregates decode the WAL for invalidations"
                + " (timescaledb.invalidate_using = 'wal') but it has no replication slot "
                + rs.getString(1)
                + " (a schema restore does not bring slots): create it before the application"
                + " writes there, with SELECT pg_create_logical_replication_slot("
                + Ident.literal(rs.getString(1))
                + ", "
                + Ident.literal(rs.getString(2))
                + ")");
  }

  /**
   * What the source's open snapshot knows to be stale in the cagg whose materialization chunk
   * {@code task} copies (see {@link #carriesFor}): the merged pending ranges of its logs and of the
   * logs of the caggs below it.
   */
  public List<CarriedInvalidations.Range> pending(Connection s, Task task) throws SQLException {
    List<CarriedInvalidations.Range> ranges =
        new ArrayList<>(pending(s, sourceInfo, task.hypertableSchema(), task.hypertableName()));
    if (sourceInfo.layout().hasWalInvalidation()) {
      ranges.addAll(pendingInWal(s, sourceInfo, task.hypertableSchema(), task.hypertableName()));
    }
    return ranges;
  }

  /**
   * The changes TimescaleDB 2.22 has decoded from the WAL for the hypertables the cagg of
   * materialization hypertable schema.table (or a cagg below it) reads, and no refresh has taken
   * yet: they are in no log, only in the database's replication slot, which a peek reads without
   * consuming. Merged per hypertable. Nothing when no hypertable of the chain decodes the WAL.
   */
  static List<CarriedInvalidations.Range> pendingInWal(
      Connection c, TimescaleInfo info, String schema, String table) throws SQLException {
    List<String> pairs = new ArrayList<>();
    for (String[] h :
        Jdbc.query(
            c,
            Sql.load("cagg/wal-hypertables"),
            rs -> new String[] {rs.getString(1), rs.getString(2)},
            schema,
            table)) {
      pairs.add(h[0]);
      pairs.add(h[1]);
    }
    if (pairs.isEmpty()) {
      return List.of();
    }
    Optional<String> slot = Jdbc.queryOne(c, Sql.load("cagg/wal-slot"), rs -> rs.getString(1));
    if (slot.isEmpty()) {
      return List.of(); // no slot, nothing decoded: TimescaleDB itself has nothing pending
    }
    Map<String, List<Window>> perHypertable = new TreeMap<>();
    for (Object[] row :
        Jdbc.query(
            c,
            info.layout().sql("cagg/pending-wal-invalidations"),
            rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)},
            slot.get(),
            c.createArrayOf("text", pairs.toArray()))) {
      perHypertable
          .computeIfAbsent((String) row[0], k -> new ArrayList<>())
          .add(Window.ofInclusive((Long) row[1], (Long) row[2]));
    }
    List<CarriedInvalidations.Range> out = new ArrayList<>();
    perHypertable.forEach(
        (hypertable, windows) -> {
          for (Window w : Window.merge(windows)) {
            out.add(
                new CarriedInvalidations.Range(
                    "wal",
                    hypertable,
                    w.start(),
                    w.end() == Long.MAX_VALUE ? w.end() : w.end() - 1));
          }
        });
    return out;
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
