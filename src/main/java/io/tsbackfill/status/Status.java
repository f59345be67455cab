package io.tsbackfill.status;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Ident;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Side;
import io.tsbackfill.db.Sql;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.task.ChunkLabel;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * What {@code __backfill} says right now, read in one snapshot-free pass that takes no locks, so it
 * works while copy or verify run, from any machine. In-flight tasks are those whose worker holds
 * the task's advisory lock (taken with the claim, gone at commit).
 */
public record Status(List<Row> hypertables, List<InFlight> inFlight, List<Failure> failures) {
  /** Failures listed at most (the counts per hypertable count them all). */
  public static final int MAX_FAILURES = 50;

  /** One hypertable's tasks by state. */
  public record Row(
      String hypertable,
      long chunks,
      long pending,
      long copying,
      long copied,
      long verifying,
      long verified,
      long copyFailed,
      long verifyFailed,
      long rowsCopied,
      long bytesCopied,
      long sourceBytes,
      long sourceBytesCopied,
      long sourceBytesVerified) {

    Row plus(Row o) {
      return new Row(
          "total",
          chunks + o.chunks,
          pending + o.pending,
          copying + o.copying,
          copied + o.copied,
          verifying + o.verifying,
          verified + o.verified,
          copyFailed + o.copyFailed,
          verifyFailed + o.verifyFailed,
          rowsCopied + o.rowsCopied,
          bytesCopied + o.bytesCopied,
          sourceBytes + o.sourceBytes,
          sourceBytesCopied + o.sourceBytesCopied,
          sourceBytesVerified + o.sourceBytesVerified);
    }
  }

  /** A task a worker holds now. */
  public record InFlight(
      String kind,
      ChunkLabel chunk,
      Integer pid,
      Duration running,
      String client,
      String application) {}

  /**
   * A task whose copy or verification failed, with its message and the SQLSTATE of its error (null
   * for differences or when there was none).
   */
  public record Failure(ChunkLabel chunk, String kind, String message, String sqlState) {}

  /**
   * Reads the task list of the target {@code spec} names over one connection of its own; a bad
   * state when nothing is staged there, a target error when it cannot be read.
   */
  public static Status read(ConnectionSpec spec) {
    try (Database db = Database.open(spec, 1);
        Connection t = db.connect()) {
      if (!TaskStore.schemaExists(t)) {
        throw BackfillException.badState(
            "the target has no __backfill schema: nothing is staged ('timescaledb-backfill stage'"
                + " creates it)");
      }
      return read(t);
    } catch (SQLException e) {
      throw Side.TARGET.error("reading the task list: " + e.getMessage(), e);
    }
  }

  public static Status read(Connection t) throws SQLException {
    List<Row> rows =
        Jdbc.query(
            t,
            Sql.load("task/status"),
            rs ->
                new Row(
                    rs.getString(16) != null
                        ? rs.getString(16)
                        : Ident.display(rs.getString(1), rs.getString(2)),
                    rs.getLong(3),
                    rs.getLong(4),
                    rs.getLong(5),
                    rs.getLong(6),
                    rs.getLong(7),
                    rs.getLong(8),
                    rs.getLong(9),
                    rs.getLong(10),
                    rs.getLong(11),
                    rs.getLong(12),
                    rs.getLong(13),
                    rs.getLong(14),
                    rs.getLong(15)),
            TaskStore.COPY_LOCK,
            TaskStore.VERIFY_LOCK,
            TaskStore.COPY_LOCK,
            TaskStore.VERIFY_LOCK);
    List<InFlight> flight =
        Jdbc.query(
            t,
            Sql.load("task/status-in-flight"),
            rs -> {
              int pid = rs.getInt(4);
              Integer p = rs.wasNull() ? null : pid;
              double seconds = rs.getDouble(6);
              Duration running = rs.wasNull() ? null : Duration.ofMillis((long) (seconds * 1000));
              return new InFlight(
                  rs.getString(1),
                  ChunkLabel.of(
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(9),
                      rs.getString(10),
                      rs.getString(11),
                      rs.getString(12)),
                  p,
                  running,
                  rs.getString(7),
                  rs.getString(8));
            },
            TaskStore.COPY_LOCK,
            TaskStore.COPY_LOCK,
            TaskStore.VERIFY_LOCK);
    List<Failure> failures =
        Jdbc.query(
            t,
            Sql.load("task/status-errors"),
            rs ->
                new Failure(
                    ChunkLabel.of(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9)),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5)),
            MAX_FAILURES);
    return new Status(rows, flight, failures);
  }

  public Row total() {
    Row t = new Row("total", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (Row r : hypertables) {
      t = t.plus(r);
    }
    return t;
  }
}
