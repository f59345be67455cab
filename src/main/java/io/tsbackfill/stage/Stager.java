package io.tsbackfill.stage;

import io.tsbackfill.catalog.CaggHierarchy;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Chunk;
import io.tsbackfill.catalog.Column;
import io.tsbackfill.catalog.ContinuousAggregate;
import io.tsbackfill.catalog.Hypertable;
import io.tsbackfill.catalog.RegexFilter;
import io.tsbackfill.catalog.Slice;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.catalog.VersionCheck;
import io.tsbackfill.config.StageConfig;
import io.tsbackfill.config.TimeArg;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.db.SourceSnapshot;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.jobs.BackgroundJobs;
import io.tsbackfill.jobs.JobReport;
import io.tsbackfill.task.TaskStore;
import io.tsbackfill.work.StandbyLag;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code stage} engine: validates everything against both databases first, then writes the
 * {@code __backfill} schema, the task rows and any target chunks it creates in one target
 * transaction, so a failing stage leaves the target exactly as it was. In that transaction it also
 * finds the target's scheduled jobs on what it staged and, with {@code --pause-jobs}, pauses them
 * ({@link BackgroundJobs}). {@link #preview()} ({@code --dry-run}) runs the same validations and
 * hands the plan to {@link StagePreview} instead of writing.
 */
public final class Stager {
  private static final Logger LOG = LoggerFactory.getLogger(Stager.class);

  private final StageConfig config;
  private final Locks locks;

  public Stager(StageConfig config) {
    this.config = config;
    this.locks = new Locks(config.target(), config.lockTimeout());
  }

  /** A chunk chosen for staging, with its hypertable and row filter (null when whole). */
  record Planned(Hypertable hypertable, Chunk chunk, String filter) {}

  /**
   * Where a source hypertable's chunks go: the target hypertable of the same name, or for a cagg's
   * materialization hypertable the target cagg's one, found by the view's name (the internal names
   * embed catalog ids, which differ between databases). {@code name} is how output names it: the
   * hypertable, or the cagg's view when {@code cagg}.
   */
  record Destination(String schema, String table, String name, boolean cagg) {
    String plainName() {
      return Ident.display(schema, table);
    }

    /** The name with what it is, for text output. */
    String label() {
      return cagg ? name + " (continuous aggregate)" : name;
    }
  }

  /** Stages: validates, then writes the tasks (and pauses jobs if asked) in one transaction. */
  public StageResult run() {
    return stage(
        (s, t, sInfo, tInfo, plan, bounds, destinations, sourceCaggs) ->
            write(t, tInfo, plan, bounds, destinations, sourceCaggs));
  }

  /** {@code --dry-run}: the same validations, then what a stage would do; writes nothing. */
  public StagePreview preview() {
    return stage(
        (s, t, sInfo, tInfo, plan, bounds, destinations, sourceCaggs) ->
            StagePreview.of(
                s, t, sInfo, tInfo, plan, bounds, destinations, sourceCaggs, config.pauseJobs()));
  }

  /** What a stage does with its validated plan: write it, or preview it. */
  @FunctionalInterface
  private interface Finish<R> {
    R apply(
        Connection s,
        Connection t,
        TimescaleInfo sInfo,
        TimescaleInfo tInfo,
        List<Planned> plan,
        Map<Hypertable, TimeBound[]> bounds,
        Map<Integer, Destination> destinations,
        CaggHierarchy sourceCaggs)
        throws SQLException;
  }

  private <R> R stage(Finish<R> finish) {
    try (Database source = Database.open(config.source(), 1);
        Database target = Database.open(config.target(), 1);
        Connection s = source.connect();
        Connection t = target.connect()) {
      TimescaleInfo sInfo = inspect(source, s);
      TimescaleInfo tInfo = inspect(target, t);
      VersionCheck.requireEqual(sInfo, tInfo);
      List<Planned> plan;
      Map<Hypertable, TimeBound[]> bounds = new LinkedHashMap<>();
      CaggHierarchy sourceCaggs;
      try {
        validateArguments(s);
        Map<Integer, Hypertable> all = Catalog.hypertables(s);
        sourceCaggs = new CaggHierarchy(Catalog.continuousAggregates(s));
        List<Hypertable> selected = select(s, all, sourceCaggs);
        // The chunk list is read next: a standby must have replayed the chunks made before --until.
        if (SourceSnapshot.of(s).standby()) {
          StandbyLag.prepare(s, replayNeed(s, sInfo, selected), config.standbyWait(), () -> false);
        }
        plan = planChunks(s, sInfo, selected, bounds);
      } catch (SQLException e) {
        throw source.error("reading the catalog", e);
      }
      try {
        Map<Integer, Destination> destinations = new LinkedHashMap<>();
        if (!plan.isEmpty()) {
          validateSchemas(s, t, plan, sourceCaggs, destinations);
          CompressionSettingsCheck.run(s, t, sInfo, tInfo, plan, destinations);
        }
        return finish.apply(s, t, sInfo, tInfo, plan, bounds, destinations, sourceCaggs);
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
    RegexFilter.validate(s, config.filter());
  }

  /**
   * The hypertables the filter and cascade flags select, in catalog order: without a filter every
   * hypertable (cagg materialization hypertables included); with one, the hypertables and the caggs
   * (by view name) that match, plus what the cascade flags add.
   */
  private List<Hypertable> select(Connection s, Map<Integer, Hypertable> all, CaggHierarchy caggs)
      throws SQLException {
    if (config.filter() == null) {
      return new ArrayList<>(all.values());
    }
    Set<Integer> matched = new LinkedHashSet<>(Catalog.hypertablesMatching(s, config.filter()));
    if (matched.isEmpty()) {
      // Staging nothing here would look like success to a script and hide a typo.
      throw BackfillException.badState(
          "--filter '"
              + config.filter()
              + "' matches no hypertable or continuous aggregate on"
              + " the source; it has "
              + existing(all, caggs));
    }
    Set<Integer> ids = caggs.cascade(matched, config.cascadeUp(), config.cascadeDown());
    List<Hypertable> out = new ArrayList<>();
    for (Hypertable h : all.values()) {
      if (ids.contains(h.id())) {
        out.add(h);
      }
    }
    return out;
  }

  /** The hypertables (not materializations) and caggs of the source, for a filter that failed. */
  private static String existing(Map<Integer, Hypertable> all, CaggHierarchy caggs) {
    List<String> hypertables = new ArrayList<>();
    for (Hypertable h : all.values()) {
      if (caggs.byMaterialization(h.id()).isEmpty()) {
        hypertables.add(h.plainName());
      }
    }
    List<String> views = caggs.caggs().stream().map(ContinuousAggregate::plainName).toList();
    return (hypertables.isEmpty()
            ? "no hypertables"
            : "hypertables " + String.join(", ", hypertables))
        + (views.isEmpty() ? "" : "; continuous aggregates " + String.join(", ", views));
  }

  /**
   * What a hot standby as the source must have replayed before the chunks of {@code selected} are
   * read: the latest {@code --until} among its datetime hypertables as a point in time; integer
   * ones are counted for a warning.
   */
  private StandbyLag.Need replayNeed(Connection s, TimescaleInfo sInfo, List<Hypertable> selected)
      throws SQLException {
    Instant latest = null;
    long integer = 0;
    for (Hypertable h : selected) {
      OffsetDateTime until =
          untilTime(
              h,
              Bounds.resolve(s, sInfo.procSchema(), h, TimeArg.parse("--until", config.until())));
      if (until == null) {
        integer++;
      } else if (latest == null || until.toInstant().isAfter(latest)) {
        latest = until.toInstant();
      }
    }
    return new StandbyLag.Need(
        latest, integer, integer == 1 ? "hypertable has" : "hypertables have");
  }

  private List<Planned> planChunks(
      Connection s,
      TimescaleInfo sInfo,
      List<Hypertable> selected,
      Map<Hypertable, TimeBound[]> bounds)
      throws SQLException {
    List<Planned> plan = new ArrayList<>();
    List<String> hypercore = new ArrayList<>();
    TimeArg untilArg = TimeArg.parse("--until", config.until());
    TimeArg fromArg = config.from() == null ? null : TimeArg.parse("--from", config.from());
    Map<TimeArg, List<String>> readInUtc = new LinkedHashMap<>();
    for (Hypertable h : selected) {
      TimeBound until = Bounds.resolve(s, sInfo.procSchema(), h, untilArg);
      TimeBound from = fromArg == null ? null : Bounds.resolve(s, sInfo.procSchema(), h, fromArg);
      if ("timestamp with time zone".equals(h.timeDimension().columnType())) {
        for (TimeArg a : fromArg == null ? List.of(untilArg) : List.of(fromArg, untilArg)) {
          if (a.lacksOffset()) {
            readInUtc.computeIfAbsent(a, k -> new ArrayList<>()).add(h.plainName());
          }
        }
      }
      if (from != null && from.internal() >= until.internal()) {
        throw BackfillException.usage(
            "--from '"
                + config.from()
                + "' is not before --until '"
                + config.until()
                + "' for "
                + h.plainName()
                + " (time column type "
                + h.timeDimension().columnType()
                + ")");
      }
      bounds.put(h, new TimeBound[] {until, from});
      String col = Ident.quote(h.timeDimension().column());
      for (Chunk c :
          Catalog.chunksInRange(
              s, sInfo.layout(), h, from == null ? null : from.internal(), until.internal())) {
        if (c.osm()) {
          // Tiered storage keeps these rows in object storage, outside any table COPY can read.
          LOG.warn(
              "skipping {} of {}: it is an OSM (tiered storage) chunk, whose rows live outside the"
                  + " database; tier them on the target separately",
              c.qname(),
              h.plainName());
          continue;
        }
        if (c.hypercore()) {
          hypercore.add(c.qname() + " of " + h.plainName());
          continue;
        }
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
    for (var e : readInUtc.entrySet()) {
      // The upstream runbooks give their bounds without an offset; say which instant that is.
      LOG.warn(
          "{} '{}' has no UTC offset: read in UTC, as {}, for the timestamptz column{} of {};"
              + " add an offset (Z, +02:00) to mean another time zone",
          e.getKey().option(),
          e.getKey().text(),
          e.getKey().forType("timestamptz").replace("+00:00", "Z"),
          e.getValue().size() == 1 ? "" : "s",
          String.join(", ", e.getValue()));
    }
    if (!hypercore.isEmpty()) {
      throw BackfillException.badState(
          "cannot stage chunks that use the hypercore table access method: "
              + String.join(", ", hypercore)
              + ". Their rows are stored in hypercore's own format, which this tool does not"
              + " copy; convert them back to heap on the source first (ALTER TABLE ... SET ACCESS"
              + " METHOD heap) and stage again");
    }
    plan.sort((a, b) -> Long.compare(b.chunk().timeSlice().start(), a.chunk().timeSlice().start()));
    return plan;
  }

  /**
   * Finds each hypertable's destination on the target (into {@code destinations}, by source id) and
   * checks that source and target have the same columns, by name and type, and that the target
   * relation is a hypertable. Collects every problem before failing with all of them.
   */
  private static void validateSchemas(
      Connection s,
      Connection t,
      List<Planned> plan,
      CaggHierarchy sourceCaggs,
      Map<Integer, Destination> destinations)
      throws SQLException {
    Map<Integer, Hypertable> hypertables = new LinkedHashMap<>();
    for (Planned p : plan) {
      hypertables.putIfAbsent(p.hypertable().id(), p.hypertable());
    }
    List<ContinuousAggregate> targetCaggs = Catalog.continuousAggregates(t);
    List<String> problems = new ArrayList<>();
    for (Hypertable h : hypertables.values()) {
      Optional<ContinuousAggregate> cagg = sourceCaggs.byMaterialization(h.id());
      Destination d;
      if (cagg.isPresent()) {
        Optional<ContinuousAggregate> onTarget =
            targetCaggs.stream().filter(ca -> ca.sameView(cagg.get())).findFirst();
        if (onTarget.isEmpty()) {
          problems.add(
              "continuous aggregate "
                  + cagg.get().plainName()
                  + " is not found in the target (create it there with the same definition;"
                  + " source materialization hypertable "
                  + h.plainName()
                  + ")");
          continue;
        }
        d =
            new Destination(
                onTarget.get().matSchema(),
                onTarget.get().matTable(),
                cagg.get().plainName(),
                true);
      } else {
        d = new Destination(h.schema(), h.table(), h.plainName(), false);
      }
      destinations.put(h.id(), d);
      String name =
          cagg.isPresent()
              ? d.label() + ", materialization hypertable " + h.plainName() + " -> " + d.plainName()
              : h.plainName();
      List<Column> sc = Catalog.columns(s, h.schema(), h.table());
      List<Column> tc = Catalog.columns(t, d.schema(), d.table());
      if (sc.isEmpty()) {
        problems.add(name + ": no columns visible on the source (missing privileges?)");
      } else if (tc.isEmpty()) {
        problems.add(name + " is not found in the target; source columns: " + sc);
      } else if (!sc.equals(tc)) {
        problems.add(name + " has different columns; source: " + sc + "; target: " + tc);
      } else if (!Catalog.isHypertable(t, d.schema(), d.table())) {
        problems.add(
            name + " is not a hypertable in the target (create it with create_hypertable first)");
      }
    }
    if (!problems.isEmpty()) {
      throw BackfillException.badState(
          "source and target schemas differ: " + String.join(" | ", problems));
    }
  }

  private StageResult write(
      Connection t,
      TimescaleInfo tInfo,
      List<Planned> plan,
      Map<Hypertable, TimeBound[]> bounds,
      Map<Integer, Destination> destinations,
      CaggHierarchy sourceCaggs)
      throws SQLException {
    if (TaskStore.schemaExists(t)) {
      TaskStore.upgrade(t);
    }
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
      Map<Destination, Boolean> sameDims = new HashMap<>();
      List<TaskStore.NewTask> rows = new ArrayList<>(plan.size());
      for (Planned p : plan) {
        Hypertable h = p.hypertable();
        Chunk c = p.chunk();
        Destination d = destinations.get(h.id());
        rows.add(
            new TaskStore.NewTask(
                c.schema(),
                c.table(),
                h.schema(),
                h.table(),
                Catalog.slicesJson(c.slices()),
                p.filter(),
                d.schema(),
                d.table(),
                c.bytes(),
                untilTime(h, bounds.get(h)[0])));
      }
      Set<String> insertedNow = TaskStore.insertAll(t, rows);
      Map<Destination, List<Catalog.MissingChunk>> toCreate = new LinkedHashMap<>();
      for (Planned p : plan) {
        Hypertable h = p.hypertable();
        Chunk c = p.chunk();
        Destination d = destinations.get(h.id());
        int[] counts = perHypertable.computeIfAbsent(h.plainName(), k -> new int[2]);
        boolean inserted = insertedNow.contains(TaskStore.stagedKey(c.schema(), c.table()));
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
        if (tInfo.hasTimescaleLicense() && sameDimensions(t, d, c, sameDims)) {
          toCreate
              .computeIfAbsent(d, k -> new ArrayList<>())
              .add(new Catalog.MissingChunk(c.qname(), c.slices()));
        }
      }
      for (var e : toCreate.entrySet()) {
        created += createTargetChunks(t, tInfo, locks, e.getKey(), e.getValue());
      }
      JobReport jobs =
          BackgroundJobs.onStage(t, tInfo, stagedTables(plan, destinations), config.pauseJobs());
      t.commit();
      List<StageResult.HypertableStaged> per = new ArrayList<>();
      for (var e : bounds.entrySet()) {
        int[] counts = perHypertable.getOrDefault(e.getKey().plainName(), new int[2]);
        TimeBound from = e.getValue()[1];
        Destination d = destinations.get(e.getKey().id());
        Optional<ContinuousAggregate> cagg = sourceCaggs.byMaterialization(e.getKey().id());
        per.add(
            new StageResult.HypertableStaged(
                d != null
                    ? d.name()
                    : cagg.map(ContinuousAggregate::plainName).orElse(e.getKey().plainName()),
                d != null ? d.cagg() : cagg.isPresent(),
                counts[0],
                counts[1],
                e.getValue()[0].value(),
                from == null ? null : from.value()));
      }
      return new StageResult(staged, skipped, partial, created, bytes, per).withJobs(jobs);
    } catch (SQLException | RuntimeException e) {
      t.rollback();
      throw e;
    } finally {
      t.setAutoCommit(true);
    }
  }

  /**
   * The stage's {@code --until} as a point in time, for the lag check of a hot standby as the
   * source (it must have replayed everything committed before the cut-over, old rows written late
   * included); null for integer time. TimescaleDB's internal value is microseconds since 1970 for
   * all three datetime types: a timestamp or date bound is read as UTC.
   */
  static OffsetDateTime untilTime(Hypertable h, TimeBound until) {
    String type = h.timeDimension().columnType();
    if (!type.startsWith("timestamp") && !type.equals("date")) {
      return null;
    }
    return Instant.EPOCH.plus(until.internal(), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
  }

  /** The target hypertables the plan's chunks go to, in plan order. */
  private static Set<BackgroundJobs.Table> stagedTables(
      List<Planned> plan, Map<Integer, Destination> destinations) {
    Set<BackgroundJobs.Table> out = new LinkedHashSet<>();
    for (Planned p : plan) {
      Destination d = destinations.get(p.hypertable().id());
      out.add(new BackgroundJobs.Table(d.schema(), d.table()));
    }
    return out;
  }

  /**
   * Why stage cannot create the missing target chunk for {@code c} by its slices, or empty when it
   * can: the one rule of {@link #createTargetChunk} and of the dry run's preview. The target needs
   * the Timescale License (create_chunk), the same dimension columns as the source chunk's slices
   * ({@code sameDims} remembers them per destination), and no chunk overlapping those slices.
   */
  static Optional<String> targetChunkObstacle(
      Connection t, TimescaleInfo tInfo, Destination d, Chunk c, Map<Destination, Boolean> sameDims)
      throws SQLException {
    if (!tInfo.hasTimescaleLicense()) {
      return Optional.of("the target has no Timescale License");
    }
    if (!sameDimensions(t, d, c, sameDims)) {
      return Optional.of("the target has other dimensions");
    }
    if (Catalog.overlappingChunks(t, tInfo.layout(), d.schema(), d.table(), c.slices()) > 0) {
      return Optional.of("the target has overlapping chunks");
    }
    return Optional.empty();
  }

  /**
   * Whether destination {@code d}'s hypertable has the dimension columns of {@code c}'s slices, in
   * that order ({@code sameDims} remembers the answer per destination).
   */
  private static boolean sameDimensions(
      Connection t, Destination d, Chunk c, Map<Destination, Boolean> sameDims)
      throws SQLException {
    Boolean dims = sameDims.get(d);
    if (dims == null) {
      dims =
          Catalog.dimensionColumns(t, d.schema(), d.table())
              .equals(c.slices().stream().map(Slice::column).toList());
      sameDims.put(d, dims);
    }
    return dims;
  }

  /**
   * Creates the target chunks of {@code d} with the listed source chunks' slices, in one statement,
   * where the target can: it has the Timescale License and the same dimension columns (checked by
   * the caller), and no target chunk would collide with the new one (a target hypertable with other
   * chunk intervals or partitions, or one with dual-written chunks of its own, is left to the
   * routed copy instead; a chunk the target has already is left as it is). One round trip per
   * target hypertable, however many chunks: stage's cost must not grow with them over a network.
   */
  private static int createTargetChunks(
      Connection t,
      TimescaleInfo tInfo,
      Locks locks,
      Destination d,
      List<Catalog.MissingChunk> chunks)
      throws SQLException {
    // Stage has no retry of its own: lock timeouts are retried in place (5 attempts).
    Set<String> created =
        locks.runRetrying(
            t,
            "create the target chunks of " + Ident.display(Ident.qname(d.schema(), d.table())),
            5,
            () -> Catalog.createMissingChunks(t, tInfo.layout(), d.schema(), d.table(), chunks));
    LOG.debug(
        "created {} of {} target chunks of {}; the others exist or overlap a target chunk",
        created.size(),
        chunks.size(),
        d.name());
    return created.size();
  }
}
