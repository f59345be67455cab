package io.tsbackfill.copy;

import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.SideFailure;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;

/**
 * The one COPY pump: streams one or more {@code COPY ... TO STDOUT} queries on one connection into
 * one {@code COPY ... FROM STDIN} on another, row by row through pgjdbc's public {@code CopyOut}
 * and {@code CopyIn}. What the pump owns is what every copy needs: the throttle's accounting, the
 * byte count, and that whatever happens neither connection is left in the middle of a COPY. The
 * order rows go out in, and how they are batched into writes, is the {@link Sink}'s: {@link
 * Forward} sends them as read, {@link ReversedCopy} last first.
 */
public final class CopyStream {
  /** Outgoing rows are batched into CopyData messages of up to this size. */
  static final int BUFFER_BYTES = 1 << 20;

  /** A batch is sent once it holds this much: a row up to the rest still fits in it. */
  static final int FLUSH_BYTES = BUFFER_BYTES - (64 << 10);

  /** The throttle is asked for bytes read in steps of this size, not once per row. */
  static final int THROTTLE_BYTES = 64 << 10;

  /**
   * Each thread's batch buffer, kept from chunk to chunk (a pump runs one at a time per thread).
   */
  private static final ThreadLocal<byte[]> BUFFER = new ThreadLocal<>();

  /** Rows the target accepted and bytes of the COPY data stream. */
  public record Counts(long rows, long bytes) {}

  /** Where the pump puts the rows it reads; it writes them to the target's COPY in its order. */
  interface Sink {
    /**
     * One CopyData payload of the source: a row (in binary format the first also carries the
     * header, and the last is the trailer). The array is the sink's to keep.
     */
    void row(byte[] row) throws SQLException;

    /** Every row of one source query is read. */
    void endOfQuery() throws SQLException;

    /** Every row of every source query is read: send what is held. */
    void finish() throws SQLException;
  }

  /** Makes the sink of one pump, writing to its {@code CopyIn}. */
  @FunctionalInterface
  interface SinkFactory {
    Sink open(CopyIn in) throws SQLException;
  }

  private CopyStream() {}

  /** Copies the rows of one source query in the order they are read. */
  public static Counts pipe(
      Connection source, String copyOutSql, Connection target, String copyInSql, Throttle throttle)
      throws SQLException {
    return pump(source, List.of(copyOutSql), target, copyInSql, Forward::new, throttle);
  }

  /**
   * Runs {@code copyOutSqls} one after the other on {@code source}, handing every row to the sink
   * {@code sinks} makes for {@code copyInSql} on {@code target}, then ends that COPY.
   */
  static Counts pump(
      Connection source,
      Iterable<String> copyOutSqls,
      Connection target,
      String copyInSql,
      SinkFactory sinks,
      Throttle throttle)
      throws SQLException {
    Jdbc.log(copyInSql);
    CopyIn in = on(TARGET, () -> target.unwrap(PGConnection.class).getCopyAPI().copyIn(copyInSql));
    CopyOut out = null;
    try {
      Sink sink = sinks.open(in);
      long bytes = 0;
      long owed = 0;
      for (String copyOutSql : copyOutSqls) {
        Jdbc.log(copyOutSql);
        CopyOut reader =
            on(SOURCE, () -> source.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOutSql));
        out = reader;
        // The per-row loop: no lambda, no wrapper per message (millions of rows per chunk).
        while (true) {
          byte[] row = read(reader);
          if (row == null) {
            break;
          }
          bytes += row.length;
          owed += row.length;
          if (owed >= THROTTLE_BYTES) {
            throttle.acquire(owed);
            owed = 0;
          }
          sink.row(row);
        }
        out = null;
        sink.endOfQuery();
      }
      sink.finish();
      throttle.acquire(owed);
      long rows = on(TARGET, in::endCopy);
      return new Counts(rows, bytes);
    } finally {
      cancelQuietly(out);
      cancelQuietly(in);
    }
  }

  /**
   * Rows in the order they are read, batched: one write to the target per megabyte, which pgjdbc
   * sends as one CopyData message, so the target's backend reads large messages and the tool makes
   * few system calls. A row longer than the buffer goes on its own.
   */
  static final class Forward implements Sink {
    private final CopyIn in;
    private final byte[] buffer;
    private int used;

    Forward(CopyIn in) {
      this.in = in;
      byte[] b = BUFFER.get();
      if (b == null) {
        b = new byte[BUFFER_BYTES];
        BUFFER.set(b);
      }
      this.buffer = b;
    }

    @Override
    public void row(byte[] row) throws SQLException {
      if (row.length > buffer.length - used) {
        flush();
        if (row.length > buffer.length) {
          write(in, row, 0, row.length);
          return;
        }
      }
      System.arraycopy(row, 0, buffer, used, row.length);
      used += row.length;
      if (used >= FLUSH_BYTES) {
        flush();
      }
    }

    @Override
    public void endOfQuery() {
      // Rows of the next query, if any, follow those of this one in the same batches.
    }

    @Override
    public void finish() throws SQLException {
      flush();
    }

    private void flush() throws SQLException {
      if (used > 0) {
        write(in, buffer, 0, used);
        used = 0;
      }
    }
  }

  static byte[] read(CopyOut reader) throws SideFailure {
    try {
      return reader.readFromCopy();
    } catch (SQLException e) {
      throw new SideFailure(SOURCE, e);
    }
  }

  static void write(CopyIn in, byte[] data, int offset, int length) throws SQLException {
    on(
        TARGET,
        () -> {
          in.writeToCopy(data, offset, length);
          return null;
        });
  }

  static void cancelQuietly(CopyOperation op) {
    if (op != null && op.isActive()) {
      try {
        op.cancelCopy();
      } catch (SQLException ignored) {
        // The connection is broken or the transaction is rolled back by the caller anyway.
      }
    }
  }
}
