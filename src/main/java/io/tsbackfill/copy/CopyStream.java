package io.tsbackfill.copy;

import io.tsbackfill.db.SideFailure;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

/**
 * Streams {@code COPY ... TO STDOUT} on one connection into {@code COPY ... FROM STDIN} on another.
 * Rows pass through a fixed buffer and are never collected in memory; whatever happens, neither
 * connection is left in the middle of a COPY.
 */
public final class CopyStream {
  /** Outgoing CopyData messages are batched up to this size. */
  static final int BUFFER_BYTES = 1 << 20;

  /** The buffer is sent once it holds this much: a row up to the rest still fits in it. */
  static final int FLUSH_BYTES = BUFFER_BYTES - (64 << 10);

  /** The throttle is asked for bytes read in steps of this size, not once per row. */
  static final int THROTTLE_BYTES = 64 << 10;

  /** Each thread's buffer, kept from chunk to chunk (a pipe runs one at a time per thread). */
  private static final ThreadLocal<byte[]> BUFFER = new ThreadLocal<>();

  /** Rows the target accepted and bytes of the COPY data stream. */
  public record Counts(long rows, long bytes) {}

  private CopyStream() {}

  public static Counts pipe(
      Connection source, String copyOutSql, Connection target, String copyInSql, Throttle throttle)
      throws SQLException {
    io.tsbackfill.db.Jdbc.log(copyOutSql);
    io.tsbackfill.db.Jdbc.log(copyInSql);
    CopyIn in = on(TARGET, () -> target.unwrap(PGConnection.class).getCopyAPI().copyIn(copyInSql));
    CopyOut out = null;
    try {
      CopyOut reader =
          on(SOURCE, () -> source.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOutSql));
      out = reader;
      byte[] buffer = BUFFER.get();
      if (buffer == null) {
        buffer = new byte[BUFFER_BYTES];
        BUFFER.set(buffer);
      }
      int used = 0;
      long bytes = 0;
      long owed = 0;
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
        if (row.length > buffer.length - used) {
          if (used > 0) {
            write(in, buffer, used);
            used = 0;
          }
          if (row.length > buffer.length) {
            write(in, row, row.length);
            continue;
          }
        }
        System.arraycopy(row, 0, buffer, used, row.length);
        used += row.length;
        if (used >= FLUSH_BYTES) {
          write(in, buffer, used);
          used = 0;
        }
      }
      throttle.acquire(owed);
      if (used > 0) {
        write(in, buffer, used);
      }
      long rows = on(TARGET, in::endCopy);
      return new Counts(rows, bytes);
    } finally {
      cancelQuietly(out);
      cancelQuietly(in);
    }
  }

  static byte[] read(CopyOut reader) throws SideFailure {
    try {
      return reader.readFromCopy();
    } catch (SQLException e) {
      throw new SideFailure(SOURCE, e);
    }
  }

  static void write(CopyIn in, byte[] data, int length) throws SQLException {
    write(in, data, 0, length);
  }

  static void write(CopyIn in, byte[] data, int offset, int length) throws SQLException {
    on(TARGET, () -> {
      in.writeToCopy(data, offset, length);
      return null;
    });
  }

  static void cancelQuietly(org.postgresql.copy.CopyOperation op) {
    if (op != null && op.isActive()) {
      try {
        op.cancelCopy();
      } catch (SQLException ignored) {
        // The connection is broken or the transaction is rolled back by the caller anyway.
      }
    }
  }
}
