package io.tsbackfill.stage;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Chunk;
import io.tsbackfill.catalog.Column;
import io.tsbackfill.catalog.ContinuousAggregate;
import io.tsbackfill.catalog.Hypertable;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.catalog.VersionCheck;
import io.tsbackfill.config.StageConfig;
import io.tsbackfill.db.BackfillException;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code stage} engine: validates everything against both databases first, then writes the
 * {@code __backfill} schema, the task rows and any target chunks it creates in one target
 * transaction, so a failing stage leaves the target exactly as it was.
 */
public final class Stager {
  private static final Logger LOG = LoggerFactory.getLogger(Stager.class);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final StageConfig config;
  private final Locks locks;

  public Stager(StageConfig config) {
    this.config = config;
    this.locks = new Locks(config.target());
  }

  /** A chunk chosen for staging, with its hypertable and row filter (null when whole). */
  record Planned(Hypertable hypertable, Chunk chunk, String filter) {}

  public StageResult run() {
    try (Database source = Database.open(config.source(), 1);
        Database target = Database.open(config.target(), 1);
        Connection s = source.connect();
        Connection t = target.connect()) {
      TimescaleInfo sInfo = inspect(source, s);
      TimescaleInfo tInfo = inspect(target, t);
      VersionCheck.requireEqual(sInfo, tInfo);
      List<Planned> plan;
      Map<Hypertable, TimeBound[]> bounds = new LinkedHashMap<>();
      try {
        validateArguments(s);
        Map<Integer, Hypertable> all = Catalog.hypertables(s);
        List<Hypertable> selected = select(s, all);
        plan = planChunks(s, sInfo, selected, bounds);
      } catch (SQLException e) {
        throw source.error("reading the catalog", e);
      }
      try {
        if (!plan.isEmpty()) {
          validateSchemas(s, t, plan);
        }
        return write(t, tInfo, plan, bounds);
      } catch (SQLException e) {
        throw target.error("staging", e);
      }
    } catch (SQLException e) {
      throw BackfillException.internal("closing connections", e);
    }
  }

  private static TimescaleInfo inspect(Database db, Connection c) {
    try {
      return Catalog.inspect(c, db.side());
    } catch (SQLException e) {
      throw db.error("reading the TimescaleDB version", e);
    }
  }

  private void validateArguments(Connection s) throws SQLException {
    if (config.filter() != null) {
      try {
        Jdbc.queryOne(s, "SELECT 'x' ~* ?", rs -> rs.getBoolean(1), config.filter());
      } catch (SQLException e) {
        if (SqlStates.INVALID_REGEX.equals(e.getSQLState())) {
          throw BackfillException.usage(
              "invalid --filter '" + config.filter() + "': " + SqlStates.serverMessage(e));
        }
        throw e;
      }
    }
    Bounds.validate(s, "--until", config.until());
    if (config.from() != null) {
      Bounds.validate(s, "--from", config.from());
      Bounds.checkOrder(s, config.from(), config.until());
    }
  }

  /** The hypertables the filter and cascade flags select, in catalog order. */
  private List<Hypertable> select(Connection s, Map<Integer, Hypertable> all) throws SQLException {
    if (config.filter() == null) {
      return new ArrayList<>(all.values());
    }
    Set<Integer> ids = new LinkedHashSet<>(Catalog.hypertablesMatching(s, config.filter()));
    List<ContinuousAggregate> caggs = Catalog.continuousAggregates(s);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (ContinuousAggregate ca : caggs) {
        if (config.cascadeUp() && ids.contains(ca.rawHypertableId())) {
          grew |= ids.add(ca.matHypertableId());
        }
        if (config.cascadeDown() && ids.contains(ca.matHypertableId())) {
          grew |= ids.add(ca.rawHypertableId());
        }
      }
    }
    List<Hypertable> out = new ArrayList<>();
    for (Hypertable h : all.values()) {
      if (ids.contains(h.id())) {
        out.add(h);
      }
    }
    return out;
  }

  private List<Planned> planChunks(
      Connection s, TimescaleInfo sInfo, List<Hypertable> selected, Map<Hypertable, TimeBound[]> bounds)
      throws SQLException {
    List<Planned> plan = new ArrayList<>();
    for (Hypertable h : selected) {
      TimeBound until = Bounds.resolve(s, sInfo.procSchema(), h, "--until", config.until());
      TimeBound from =
          config.from() == null
              ? null
              : Bounds.resolve(s, sInfo.procSchema(), h, "--from", config.from());
      if (from != null && from.internal() >= until.internal()) {
        throw BackfillException.usage(
            "--from '" + config.from() + "' is not before --until '" + config.until() + "' for "
                + h.plainName() + " (time column type " + h.timeDimension().columnType() + ")");
      }
      bounds.put(h, new TimeBound[] {until, from});
      String col = Ident.quote(h.timeDimension().column());
      for (Chunk c :
          Catalog.chunksInRange(s, h, from == null ? null : from.internal(), until.internal())) {
        Slice ts = c.timeSlice();
        List<String> predicates = new ArrayList<>();
        if (from != null && ts.start() <= from.internal() && from.internal() < ts.end()) {
          predicates.add(col + " >= " + from.literal());
        }
        if (ts.start() < until.internal() && until.internal() < ts.end()) {
          predicates.add(col + " < " + until.literal());
        }
        plan.add(new Planned(h, c, predicates.isEmpty() ? null : String.join(" and ", predicates)));
      }
    }
    plan.sort(
        (a, b) -> Long.compare(b.chunk().timeSlice().start(), a.chunk().timeSlice().start()));
    return plan;
  }

  /** Source and target must have the same columns, by name and type, for every hypertable. */
  private static void validateSchemas(Connection s, Connection t, List<Planned> plan)
      throws SQLException {
    Map<String, Hypertable> hypertables = new LinkedHashMap<>();
    for (Planned p : plan) {
      hypertables.putIfAbsent(p.hypertable().plainName(), p.hypertable());
    }
    List<String> problems = new ArrayList<>();
    for (Hypertable h : hypertables.values()) {
      List<Column> sc = Catalog.columns(s, h.schema(), h.table());
      List<Column> tc = Catalog.columns(t, h.schema(), h.table());
      if (sc.isEmpty()) {
        problems.add(h.plainName() + ": no columns visible on the source (missing privileges?)");
      } else if (tc.isEmpty()) {
        problems.add(h.plainName() + " is not found in the target; source columns: " + sc);
      } else if (!sc.equals(tc)) {
        problems.add(
            h.plainName() + " has different columns; source: " + sc + "; target: " + tc);
      } else if (!Catalog.isHypertable(t, h.schema(), h.table())) {
        problems.add(
            h.plainName()
                + " is not a hypertable in the target (create it with create_hypertable first)");
      }
    }
    if (!problems.isEmpty()) {
      throw BackfillException.badState(
          "source and target schemas differ: " + String.join(" | ", problems));
    }
  }

  private StageResult write(
      Connection t, TimescaleInfo tInfo, List<Planned> plan, Map<Hypertable, TimeBound[]> bounds)
      throws SQLException {
    t.setAutoCommit(false);
    try {
      Jdbc.queryOne(t, "SELECT pg_advisory_xact_lock(hashtext('__backfill.stage'))", rs -> 1);
      if (!TaskStore.schemaExists(t)) {
        TaskStore.createSchema(t);
      }
      int staged = 0;
      int skipped = 0;
      int partial = 0;
      int created = 0;
      long bytes = 0;
      Map<String, int[]> perHypertable = new LinkedHashMap<>();
      for (Planned p : plan) {
        Hypertable h = p.hypertable();
        Chunk c = p.chunk();
        int[] counts = perHypertable.computeIfAbsent(h.plainName(), k -> new int[2]);
        boolean inserted =
            TaskStore.insert(
                t,
                c.schema(),
                c.table(),
                h.schema(),
                h.table(),
                Catalog.slicesJson(c.slices()),
                p.filter(),
                h.schema(),
                h.table(),
                c.bytes());
        if (!inserted) {
          skipped++;
          LOG.debug("{} is staged already", c.qname());
          continue;
        }
        staged++;
        counts[0]++;
        bytes += c.bytes();
        if (p.filter() != null) {
          partial++;
          counts[1]++;
        }
        if (tInfo.hasTimescaleLicense() && createTargetChunk(t, tInfo, locks, h, c)) {
          created++;
        }
      }
      t.commit();
      List<StageResult.HypertableStaged> per = new ArrayList<>();
      for (var e : bounds.entrySet()) {
        int[] counts = perHypertable.getOrDefault(e.getKey().plainName(), new int[2]);
        TimeBound from = e.getValue()[1];
        per.add(
            new StageResult.HypertableStaged(
                e.getKey().plainName(),
                counts[0],
                counts[1],
                e.getValue()[0].literal(),
                from == null ? null : from.literal()));
      }
      return new StageResult(staged, skipped, partial, created, bytes, per);
    } catch (SQLException | RuntimeException e) {
      t.rollback();
      throw e;
    } finally {
      t.setAutoCommit(true);
    }
  }

  /**
   * Creates the target chunk with the source chunk's slices, where the target can (Timescale
   * License) and no target chunk covers any of that time range yet: a target hypertable with other
   * chunk intervals is left to the routed copy instead.
   */
  private static boolean createTargetChunk(
      Connection t, TimescaleInfo tInfo, Locks locks, Hypertable h, Chunk c) throws SQLException {
    if (Catalog.findChunk(t, h.schema(), h.table(), c.slices()).isPresent()) {
      return false;
    }
    Slice ts = c.timeSlice();
    if (Catalog.overlappingChunks(t, h.schema(), h.table(), ts.start(), ts.end()) > 0) {
      LOG.debug("not creating a target chunk for {}: the target has overlapping chunks", c.qname());
      return false;
    }
    StringBuilder slices = new StringBuilder("{");
    for (Slice s : c.slices()) {
      if (slices.length() > 1) {
        slices.append(',');
      }
      slices
          .append(JSON.valueToTree(s.column()))
          .append(":[")
          .append(s.start())
          .append(',')
          .append(s.end())
          .append(']');
    }
    slices.append('}');
    // Stage has no retry of its own: lock timeouts are retried in place (5 attempts).
    locks.runRetrying(
        t,
        "create the target chunk for " + c.qname(),
        5,
        () ->
            Jdbc.queryOne(
                t,
                "SELECT " + Ident.quote(tInfo.procSchema()) + ".create_chunk(?::regclass, ?::jsonb)",
                rs -> 1,
                h.qname(),
                slices.toString()));
    LOG.debug("created the target chunk for {} with slices {}", c.qname(), slices);
    return true;
  }
}
