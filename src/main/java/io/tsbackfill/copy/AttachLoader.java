package io.tsbackfill.copy;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.config.CopySettings.Attach;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.task.Task;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast direct path on targets with the Timescale License: a whole chunk is loaded into a new
 * table without indexes, which then replaces the target chunk through {@code create_chunk(...,
 * chunk_table)}; TimescaleDB builds the hypertable's indexes, constraints and triggers on it once,
 * after the load, instead of maintaining every index row by row. Load, drop of the old chunk and
 * attach all happen in the chunk's transaction, so nobody sees the chunk missing or half loaded,
 * and a rollback leaves the old chunk as it was. The old chunk is locked ACCESS EXCLUSIVE only from
 * its drop to the commit, not during the transfer nor (from TimescaleDB 2.22) the index build.
 *
 * <p>Not used (the chunk is loaded into its indexed table as before) when a bound cuts the chunk
 * (its rows beyond the bound must stay, and the application may be writing there), the source or
 * target chunk is compressed, a continuous aggregate reads the hypertable (dropping the chunk would
 * log an invalidation of its range), a view, foreign key or child table depends on the chunk, the
 * target's create_chunk takes no table, the source chunk is under 4 MB ({@code --attach auto}, the
 * default: the table, its indexes and the swap cost a small chunk more than its indexed COPY), or
 * {@code --attach off}.
 */
final class AttachLoader {
  private static final Logger LOG = LoggerFactory.getLogger(AttachLoader.class);
  private static final Pattern RELOPTION =
      Pattern.compile("([a-z_][a-z0-9_.]*)=(.*)", Pattern.DOTALL);

  /**
   * The target chunk to replace, the table its rows are loaded into first, and the chunk's indexes
   * and key constraints to build on that table before the swap: one statement each that builds it
   * under a temporary name, one each that gives it the chunk's name once the chunk is dropped.
   */
  record Prepared(String chunk, String loadTable, List<String> builds, List<String> renames) {}

  private static final Pattern PLACEHOLDER = Pattern.compile("@([a-z_]+)@");

  /**
   * The first key of the advisory lock (the second: the hypertable's oid) that a worker takes,
   * until its transaction ends, before it drops a chunk and attaches the loaded table:
   * TimescaleDB's chunk-creation lock, which create_chunk takes and the transaction holds until it
   * commits, admits one session at a time, and each session queued for it makes every later one
   * wait too. Queued on this lock instead, the workers' attaches to one hypertable still pass one
   * at a time, but at most one worker waits in TimescaleDB's queue, so an application creating a
   * chunk meanwhile waits for one attach at most, and workers never wait for each other's attach
   * under the lock timeout. ("bfat")
   */
  static final int ATTACH_LOCK_CLASS = 0x62666174;

  private final TimescaleInfo targetInfo;
  private final Locks locks;
  private final boolean enabled;

  /** The smallest source chunk (on-disk size) that is attached. */
  private final long minBytes;

  /** Whether the target's create_chunk adopts matching indexes; null until first asked. */
  private volatile Boolean adoptsIndexes;

  AttachLoader(TimescaleInfo targetInfo, Locks locks, Attach attach) {
    this.targetInfo = targetInfo;
    this.locks = locks;
    this.enabled =
        attach != Attach.OFF
            && targetInfo.hasTimescaleLicense()
            && targetInfo.createChunkTakesTable();
    this.minBytes = attach.minBytes();
  }

  /**
   * Whether this task's rows can be loaded by attaching, checked on the target in the chunk's
   * transaction; if so, creates the table to load them into (like the hypertable, with the target
   * chunk's tablespace and storage options, without indexes). Two round trips: what is known of the
   * chunk in one (see {@link #facts}), the table created in the other, after {@code setup} (the
   * statements the chunk's transaction starts with, if any).
   */
  Optional<Prepared> prepare(
      Connection t, Task task, ChunkName targetChunk, boolean sourceCompressed, String setup)
      throws SQLException {
    if (!enabled || task.filter() != null || sourceCompressed || task.sourceBytes() < minBytes) {
      return Optional.empty();
    }
    String chunk = targetChunk.qname();
    String loadTable = Ident.qname(targetChunk.schema(), loadName(task));
    Facts facts = facts(t, task, targetChunk, loadTable);
    if (facts.obstacle() != null) {
      LOG.debug("loading {} into its indexed table: {}", chunk, facts.obstacle());
      return Optional.empty();
    }
    List<String> statements = new ArrayList<>();
    if (!setup.isEmpty()) {
      statements.add(setup);
    }
    statements.add(
        "CREATE TABLE "
            + loadTable
            + " (LIKE "
            + task.targetHypertableQname()
            + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING STATISTICS"
            + " INCLUDING GENERATED"
            + (targetInfo.serverVersionNum() >= 140000 ? " INCLUDING COMPRESSION" : "")
            + ")"
            + (facts.tablespace() == null ? "" : " TABLESPACE " + Ident.quote(facts.tablespace())));
    List<String> options = new ArrayList<>();
    for (String option : facts.reloptions()) {
      var m = RELOPTION.matcher(option);
      if (m.matches()) {
        options.add(m.group(1) + " = " + Ident.literal(m.group(2)));
      }
    }
    if (!options.isEmpty()) {
      statements.add("ALTER TABLE " + loadTable + " SET (" + String.join(", ", options) + ")");
    }
    Jdbc.executeAll(t, statements);
    return Optional.of(new Prepared(chunk, loadTable, facts.builds(), facts.renames()));
  }

  /**
   * What the attach path reads of the target chunk before the load: why it must not be replaced
   * (null: it may be), its tablespace and storage options, and the indexes and key constraints that
   * create_chunk adopts, to build on the load table (see {@code attach-indexes.sql}): one round
   * trip, the two queries sent together.
   */
  private record Facts(
      String obstacle,
      String tablespace,
      List<String> reloptions,
      List<String> builds,
      List<String> renames) {}

  private Facts facts(Connection t, Task task, ChunkName targetChunk, String loadTable)
      throws SQLException {
    record Known(String obstacle, String tablespace, List<String> reloptions) {}
    record Index(String build, String rename) {}
    List<Jdbc.Query<?>> queries = new ArrayList<>();
    queries.add(
        new Jdbc.Query<>(
            targetInfo.layout().sql("copy/attach-facts"),
            rs -> {
              Array options = rs.getArray(3);
              return new Known(
                  rs.getString(1),
                  rs.getString(2),
                  options == null ? List.of() : List.of((String[]) options.getArray()));
            },
            targetChunk.schema(),
            targetChunk.table(),
            targetChunk.schema(),
            targetChunk.table()));
    if (adoptsIndexes(t)) {
      queries.add(
          new Jdbc.Query<>(
              targetInfo.layout().sql("copy/attach-indexes"),
              rs -> new Index(rs.getString(1), rs.getString(2)),
              loadTable,
              loadName(task),
              targetChunk.qname(),
              task.targetHypertableQname()));
    }
    List<List<?>> rows = Jdbc.queryAll(t, queries);
    if (rows.get(0).size() != 1) {
      throw new SQLException("expected one row of facts of target chunk " + targetChunk.qname());
    }
    Known known = (Known) rows.get(0).get(0);
    List<Index> indexes =
        rows.size() > 1 ? rows.get(1).stream().map(Index.class::cast).toList() : List.of();
    return new Facts(
        known.obstacle(),
        known.tablespace(),
        known.reloptions(),
        indexes.stream().map(Index::build).toList(),
        indexes.stream().map(Index::rename).toList());
  }

  /**
   * Replaces the target chunk with the loaded table in one round trip: builds on it the chunk's
   * indexes and key constraints that create_chunk adopts (where it does), then, in one DO block
   * (see {@code attach-swap.sql}), waits for the other workers' attaches to this hypertable (see
   * {@link #ATTACH_LOCK_CLASS}), locks the chunk (under the lock timeout), notes its grants and
   * owner, drops it (its rows, if any, go as the direct path's delete of a whole chunk takes them),
   * gives what was built the chunk's names, attaches the table under the chunk's name and slices
   * (under the lock timeout), and gives it the grants and owner back.
   *
   * <p>create_chunk takes TimescaleDB's chunk-creation lock on the hypertable, which the
   * transaction then holds until it commits, and builds every index the table lacks under it: the
   * workers' own attaches and an application creating a chunk wait for that. From TimescaleDB 2.22
   * create_chunk adopts an index, primary key or unique constraint that matches the hypertable's
   * instead of building another, so those are built first, while the old chunk still serves
   * readers; what remains under the lock is a check of the rows against the chunk's slices, the
   * catalog and the commit. Before 2.22 it builds them all itself (one built first would be a
   * second one).
   */
  void attach(Connection t, Task task, ChunkName targetChunk, Prepared p) throws SQLException {
    List<String> statements = new ArrayList<>(p.builds());
    statements.add(swap(task, targetChunk, p));
    try {
      locks.observed(
          t,
          "lock target chunk "
              + Ident.display(p.chunk())
              + " and attach the loaded table in its place",
          () -> {
            Jdbc.executeAll(t, statements);
            return null;
          });
    } catch (Locks.LockTimeout e) {
      throw e; // transient: the chunk is retried
    } catch (SQLException e) {
      throw new SQLException(
          "could not replace chunk "
              + p.chunk()
              + " with the loaded table ("
              + e.getMessage()
              + "); the chunk is rolled back. copy --attach off (BACKFILL_ATTACH=off) copies into"
              + " the indexed chunk instead",
          e.getSQLState(),
          e);
    }
    LOG.debug("loaded {} without indexes and attached it as {}", task.chunkQname(), p.chunk());
  }

  /** The DO block of {@code attach-swap.sql} with this chunk's names and values put in. */
  private String swap(Task task, ChunkName targetChunk, Prepared p) {
    String template = targetInfo.layout().sql("copy/attach-swap");
    // The header comment is left out: no value lands in a comment, where a line break would end it.
    template = template.substring(template.indexOf("DECLARE"));
    Map<String, String> values =
        Map.of(
            "chunk", p.chunk(),
            "chunk_text", Ident.literal(p.chunk()),
            "lock_class", Integer.toString(ATTACH_LOCK_CLASS),
            "hypertable", Ident.literal(task.targetHypertableQname()),
            "timeout", locks.timeoutSetting(),
            "renames", p.renames().stream().map(r -> r + ";").collect(Collectors.joining("\n  ")),
            "slices", Ident.literal(Catalog.createChunkSlices(task.slices())),
            "schema", Ident.literal(targetChunk.schema()),
            "table", Ident.literal(targetChunk.table()),
            "load_text", Ident.literal(p.loadTable()));
    // One pass, so no value is read again as a placeholder.
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder body = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("attach-swap.sql: no value for " + m.group());
      }
      m.appendReplacement(body, Matcher.quoteReplacement(value));
    }
    m.appendTail(body);
    String tag = "$bf$";
    for (int i = 1; body.indexOf(tag) >= 0; i++) {
      tag = "$bf" + i + "$";
    }
    return "DO " + tag + "\n" + body + "\n" + tag;
  }

  /**
   * Whether the target's create_chunk adopts matching indexes, asked once per run: from TimescaleDB
   * 2.22, recognised by the function that compares a chunk's index with the hypertable's.
   */
  private boolean adoptsIndexes(Connection t) throws SQLException {
    Boolean adopts = adoptsIndexes;
    if (adopts == null) {
      adopts =
          Jdbc.queryOne(
                  t,
                  "SELECT to_regprocedure(?) IS NOT NULL",
                  rs -> rs.getBoolean(1),
                  Ident.quote(targetInfo.procSchema()) + ".index_matches(regclass, regclass)")
              .orElse(false);
      adoptsIndexes = adopts;
    }
    return adopts;
  }

  private static String loadName(Task task) {
    return "bf_load_" + task.priority();
  }
}
