package io.tsbackfill.copy;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.CopyColumn;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Locks;
import io.tsbackfill.task.Task;
import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one staged chunk inside the caller's open source and target transactions. Chooses the
 * write path: <em>direct</em> into the target chunk with identical slices, or <em>routed</em>
 * through the target hypertable when there is none (Apache-licensed targets cannot create chunks
 * by slices; targets may have other chunk intervals). Either way, first deletes exactly the target
 * rows of the chunk's range, so copying a chunk again gives the same result.
 */
final class ChunkCopier {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkCopier.class);
  static final String INVALIDATION_TRIGGER = "ts_cagg_invalidation_trigger";

  /** The result of one chunk inside its transactions (not yet committed). */
  record Copied(String path, String destination, long rows, long bytes, boolean skipped) {}

  private final TimescaleInfo targetInfo;
  private final Locks locks;

  ChunkCopier(TimescaleInfo targetInfo, Locks locks) {
    this.targetInfo = targetInfo;
    this.locks = locks;
  }

  Copied copy(Task task, Connection s, Connection t) throws SQLException {
    on(SOURCE, () -> {
      Jdbc.execute(s, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
      return null;
    });
    if (!on(SOURCE, () -> Catalog.chunkExists(s, task.chunkSchema(), task.chunkName()))) {
      return new Copied("skipped", null, 0, 0, true);
    }
    List<CopyColumn> columns =
        on(SOURCE, () -> Catalog.copyColumns(s, task.hypertableSchema(), task.hypertableName()));
    boolean binary = columns.stream().allMatch(CopyColumn::hasBinaryIo);
    if (!binary) {
      LOG.warn(
          "{} has column types without binary I/O; copying {} in text format",
          task.hypertableQname(),
          task.chunkQname());
    }
    String columnList =
        columns.stream().map(c -> Ident.quote(c.name())).collect(Collectors.joining(", "));
    Optional<String[]> targetChunk =
        on(
            TARGET,
            () ->
                Catalog.findChunk(
                    t, task.targetHypertableSchema(), task.targetHypertableName(), task.slices()));

    String path;
    String destination;
    String delete;
    if (targetChunk.isPresent()) {
      path = "direct";
      destination = Ident.qname(targetChunk.get()[0], targetChunk.get()[1]);
      delete =
          "DELETE FROM ONLY " + destination + (task.filter() == null ? "" : " WHERE " + task.filter());
    } else {
      path = "routed";
      destination = task.targetHypertableQname();
      String inChunk =
          on(SOURCE, () -> Catalog.chunkPredicate(s, task.chunkSchema(), task.chunkName()));
      delete =
          "DELETE FROM "
              + destination
              + " WHERE "
              + inChunk
              + (task.filter() == null ? "" : " AND (" + task.filter() + ")");
    }
    String trigger =
        targetChunk.isPresent()
            ? on(TARGET, () -> dropInvalidationTrigger(t, targetChunk.get()))
            : null;
    on(TARGET, () -> {
      Jdbc.execute(t, delete);
      return null;
    });

    String format = binary ? " (FORMAT binary)" : "";
    String select =
        "SELECT "
            + columnList
            + " FROM ONLY "
            + task.chunkQname()
            + (task.filter() == null ? "" : " WHERE " + task.filter());
    LOG.debug("copying rows of chunk {} into {} ({})", task.chunkQname(), destination, path);
    CopyStream.Counts counts =
        CopyStream.pipe(
            s,
            "COPY (" + select + ") TO STDOUT" + format,
            t,
            "COPY " + destination + " (" + columnList + ") FROM STDIN" + format);

    on(TARGET, () -> {
      if (trigger != null) {
        locks.execute(t, "re-create the invalidation trigger of " + destination, trigger);
      }
      analyze(t, task, targetChunk);
      return null;
    });
    return new Copied(path, destination, counts.rows(), counts.bytes(), false);
  }

  /** ANALYZE where the rows landed, so the planner is not blind after a backfill. */
  private static void analyze(Connection t, Task task, Optional<String[]> targetChunk)
      throws SQLException {
    Optional<String[]> landed =
        targetChunk.isPresent()
            ? targetChunk
            : Catalog.findChunk(
                t, task.targetHypertableSchema(), task.targetHypertableName(), task.slices());
    if (landed.isPresent()) {
      Jdbc.execute(t, "ANALYZE " + Ident.qname(landed.get()[0], landed.get()[1]));
    }
  }

  /**
   * Drops the continuous-aggregate invalidation trigger of a target chunk, so the backfilled rows
   * are not logged as invalidations (TimescaleDB refuses DISABLE TRIGGER on it). Returns the
   * statement that recreates it, or null when there is none.
   */
  private String dropInvalidationTrigger(Connection t, String[] chunk) throws SQLException {
    String qname = Ident.qname(chunk[0], chunk[1]);
    Optional<Integer> hypertableId =
        Jdbc.queryOne(
            t,
            "SELECT c.hypertable_id FROM _timescaledb_catalog.chunk c"
                + " JOIN pg_trigger tg ON tg.tgrelid = to_regclass(format('%I.%I', c.schema_name,"
                + " c.table_name)) AND tg.tgname = ?"
                + " WHERE c.schema_name = ? AND c.table_name = ?",
            rs -> rs.getInt(1),
            INVALIDATION_TRIGGER,
            chunk[0],
            chunk[1]);
    if (hypertableId.isEmpty()) {
      return null;
    }
    locks.execute(
        t,
        "drop the invalidation trigger of " + qname,
        "DROP TRIGGER " + Ident.quote(INVALIDATION_TRIGGER) + " ON " + qname);
    return "CREATE TRIGGER "
        + Ident.quote(INVALIDATION_TRIGGER)
        + " AFTER INSERT OR UPDATE OR DELETE ON "
        + qname
        + " FOR EACH ROW EXECUTE FUNCTION "
        + Ident.quote(targetInfo.procSchema())
        + ".continuous_agg_invalidation_trigger("
        + Ident.literal(Integer.toString(hypertableId.get()))
        + ")";
  }
}
