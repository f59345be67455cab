package io.tsbackfill.stage;

import io.tsbackfill.catalog.CaggHierarchy;
import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.Chunk;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.ContinuousAggregate;
import io.tsbackfill.catalog.Hypertable;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.Sql;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.jobs.BackgroundJobs;
import io.tsbackfill.jobs.JobReport;
import io.tsbackfill.report.TimeValues;
import io.tsbackfill.task.ChunkLabel;
import io.tsbackfill.task.Task;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code stage --dry-run} shows instead of writing: per hypertable the chunks a stage would
 * add, their size, the chunks a bound cuts (with their row filter), and how many target rows {@code
 * copy} would delete before writing them, counted on the target with the predicate copy uses (the
 * identical target chunk's rows matching the filter; without such a chunk, the target hypertable's
 * rows inside the source chunk's CHECK constraints and the filter). Only reads.
 */
public record StagePreview(List<HypertablePreview> hypertables, int alreadyStaged, JobReport jobs) {

  /**
   * One hypertable (or cagg, named by its view) a stage would add chunks of, with the bounds as
   * plain values of its time type, and its oldest and newest time on the source (null when empty).
   */
  public record HypertablePreview(
      String hypertable,
      boolean cagg,
      String targetHypertable,
      String until,
      String from,
      String oldest,
      String newest,
      List<ChunkPreview> chunks) {

    /** The name with what it is, for text output. */
    public String label() {
      return cagg ? hypertable + " (continuous aggregate)" : hypertable;
    }

    public long bytes() {
      return chunks.stream().mapToLong(ChunkPreview::bytes).sum();
    }

    public long targetRowsToDelete() {
      return chunks.stream().mapToLong(ChunkPreview::targetRowsToDelete).sum();
    }

    public List<ChunkPreview> cut() {
      return chunks.stream().filter(c -> c.filter() != null).toList();
    }
  }

  /**
   * One source chunk a stage would add: its size, its row filter (null when whole), the target
   * chunk copy would write into directly (null: none yet), whether stage would create that chunk
   * (Timescale License, nothing in the way) and the target rows copy would delete first.
   */
  public record ChunkPreview(
      ChunkLabel chunk,
      long bytes,
      String filter,
      String targetChunk,
      boolean createsTargetChunk,
      long targetRowsToDelete) {
    /** How copy would write it: into a target chunk, or through the target hypertable. */
    public String path() {
      return targetChunk != null || createsTargetChunk ? "direct" : "routed";
    }
  }

  public int chunks() {
    return hypertables.stream().mapToInt(h -> h.chunks().size()).sum();
  }

  public long bytes() {
    return hypertables.stream().mapToLong(HypertablePreview::bytes).sum();
  }

  public long targetRowsToDelete() {
    return hypertables.stream().mapToLong(HypertablePreview::targetRowsToDelete).sum();
  }

  /** Builds the preview of a validated plan; reads the source and the target, writes nothing. */
  static StagePreview of(
      Connection s,
      Connection t,
      TimescaleInfo sInfo,
      TimescaleInfo tInfo,
      List<Stager.Planned> plan,
      Map<Hypertable, TimeBound[]> bounds,
      Map<Integer, Stager.Destination> destinations,
      CaggHierarchy sourceCaggs,
      boolean pauseJobs)
      throws SQLException {
    Set<String> staged = new HashSet<>();
    if (TaskStore.schemaExists(t)) {
      staged.addAll(Jdbc.query(t, Sql.load("task/staged-chunks"), rs -> rs.getString(1)));
    }
    Map<Integer, List<ChunkPreview>> perHypertable = new LinkedHashMap<>();
    Set<BackgroundJobs.Table> touched = new LinkedHashSet<>();
    Map<Stager.Destination, Boolean> sameDims = new HashMap<>();
    int alreadyStaged = 0;
    for (Stager.Planned p : plan) {
      Chunk c = p.chunk();
      Stager.Destination d = destinations.get(p.hypertable().id());
      touched.add(new BackgroundJobs.Table(d.schema(), d.table()));
      if (staged.contains(c.schema() + "." + c.table())) {
        alreadyStaged++;
        continue;
      }
      Optional<ChunkName> tc =
          Catalog.findChunk(t, tInfo.layout(), d.schema(), d.table(), c.slices());
      String where;
      String from;
      if (tc.isPresent()) {
        from = tc.get().qname();
        where = p.filter();
      } else {
        from = Ident.qname(d.schema(), d.table());
        where = Task.rowsOfChunk(sourceChunkPredicate(s, sInfo, c), p.filter());
      }
      long rows =
          Jdbc.queryOne(
                  t,
                  "SELECT count(*) FROM " + from + (where == null ? "" : " WHERE " + where),
                  rs -> rs.getLong(1))
              .orElse(0L);
      boolean creates =
          tc.isEmpty() && Stager.targetChunkObstacle(t, tInfo, d, c, sameDims).isEmpty();
      perHypertable
          .computeIfAbsent(p.hypertable().id(), k -> new ArrayList<>())
          .add(
              new ChunkPreview(
                  ChunkLabel.of(
                      c.schema(),
                      c.table(),
                      p.hypertable().schema(),
                      p.hypertable().table(),
                      Catalog.slicesJson(c.slices()),
                      d.cagg() ? d.name() : null),
                  c.bytes(),
                  p.filter(),
                  tc.isPresent() ? Ident.display(from) : null,
                  creates,
                  rows));
    }
    List<HypertablePreview> out = new ArrayList<>();
    for (var e : bounds.entrySet()) {
      Hypertable h = e.getKey();
      List<ChunkPreview> chunks = perHypertable.getOrDefault(h.id(), List.of());
      Stager.Destination d = destinations.get(h.id());
      Optional<ContinuousAggregate> cagg = sourceCaggs.byMaterialization(h.id());
      TimeBound from = e.getValue()[1];
      String[] span = sourceSpan(s, sInfo, h);
      out.add(
          new HypertablePreview(
              cagg.map(ContinuousAggregate::plainName).orElse(h.plainName()),
              cagg.isPresent(),
              d == null ? null : d.plainName(),
              e.getValue()[0].value(),
              from == null ? null : from.value(),
              span[0],
              span[1],
              chunks));
    }
    JobReport jobs = BackgroundJobs.preview(t, tInfo, touched, pauseJobs);
    return new StagePreview(out, alreadyStaged, jobs);
  }

  /**
   * The oldest and newest time in hypertable {@code h} on the source, in its time type's plain form
   * (nulls when it is empty), shown beside the bounds so that a bound that misses the data shows.
   * PostgreSQL answers min and max from the time index, reading one end of the first and last
   * chunk.
   */
  private static String[] sourceSpan(Connection s, TimescaleInfo sInfo, Hypertable h)
      throws SQLException {
    String col = Ident.quote(h.timeDimension().column());
    String fn = Ident.quote(sInfo.procSchema()) + ".time_to_internal";
    String sql =
        "SELECT " + fn + "(min(" + col + ")), " + fn + "(max(" + col + ")) FROM " + h.qname();
    String type = h.timeDimension().columnType();
    return Jdbc.queryOne(
            s,
            sql,
            rs -> {
              long min = rs.getLong(1);
              String oldest = rs.wasNull() ? null : TimeValues.render(type, min);
              long max = rs.getLong(2);
              String newest = rs.wasNull() ? null : TimeValues.render(type, max);
              return new String[] {oldest, newest};
            })
        .orElse(new String[2]);
  }

  private static String sourceChunkPredicate(Connection s, TimescaleInfo sInfo, Chunk c) {
    try {
      return Catalog.chunkPredicate(s, sInfo.layout(), c.schema(), c.table());
    } catch (SQLException e) {
      throw Side.SOURCE.error(
          "reading the constraints of " + c.qname() + ": " + SqlStates.serverMessage(e), e);
    }
  }
}
