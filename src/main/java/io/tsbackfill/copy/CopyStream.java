package io.tsbackfill.copy;

import java.sql.Connection;
import io.tsbackfill.work.Throttle;
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
      byte[] buffer = new byte[BUFFER_BYTES];
      int used = 0;
      long bytes = 0;
      byte[] data;
      while ((data = on(SOURCE, reader::readFromCopy)) != null) {
        bytes += data.length;
        throttle.acquire(data.length);
        if (used + data.length > buffer.length) {
          if (used > 0) {
            write(in, buffer, used);
            used = 0;
          }
          if (data.length > buffer.length) {
            write(in, data, data.length);
            continue;
          }
        }
        System.arraycopy(data, 0, buffer, used, data.length);
        used += data.length;
      }
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

  private static void write(CopyIn in, byte[] data, int length) throws SQLException {
    on(TARGET, () -> {
      in.writeToCopy(data, 0, length);
      return null;
    });
  }

  private static void cancelQuietly(org.postgresql.copy.CopyOperation op) {
    if (op != null && op.isActive()) {
      try {
        op.cancelCopy();
      } catch (SQLException ignored) {
        // The connection is broken or the transaction is rolled back by the caller anyway.
      }
    }
  }
}
