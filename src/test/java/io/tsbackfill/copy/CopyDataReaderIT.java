package io.tsbackfill.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Side;
import io.tsbackfill.testbed.DatabasePair;
import io.tsbackfill.testbed.TestBed;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The copy reads rows straight from pgjdbc's input only if it can reach it: this pgjdbc, behind
 * the pool's proxy, must give it, or every copy would quietly fall back to {@code readFromCopy()}
 * and its CPU (the row-size and fault tests pass either way).
 */
class CopyDataReaderIT {

  @Test
  void thePooledSourceConnectionsInputIsReachable() throws Exception {
    try (DatabasePair pair = TestBed.current().freshPair("CopyDataReaderIT");
        Database db = Database.open(ConnectionSpec.parse(Side.SOURCE, pair.source().uri()), 1);
        Connection c = db.connect()) {
      assertThat(CopyDataReader.of(c))
          .as("a reader of pgjdbc's input for a pooled connection (pgjdbc's internals moved?)")
          .isNotNull();
    }
  }

  /**
   * The reversed copy sends to the target while the source has not sent a read's worth (so it
   * does not wait on the source for every few kilobytes): that needs the socket's count of bytes
   * not read yet, which must be reachable too, or every read would be taken as ready.
   */
  @Test
  void itTellsWhetherTheSourceHasSentMoreThanWasRead() throws Exception {
    try (DatabasePair pair = TestBed.current().freshPair("CopyDataReaderIT");
        Database db = Database.open(ConnectionSpec.parse(Side.SOURCE, pair.source().uri()), 1);
        Connection c = db.connect()) {
      CopyDataReader reader = CopyDataReader.of(c);
      assertThat(reader).isNotNull();
      assertThat(reader.ready(1))
          .as("an idle connection has sent nothing (pgjdbc's socket stream not reachable?)")
          .isFalse();
      CopyOut out =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyOut("COPY (SELECT repeat('x', 1000) FROM generate_series(1, 1000)) TO STDOUT");
      try {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!reader.ready(CopyStream.THROTTLE_BYTES) && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(reader.ready(CopyStream.THROTTLE_BYTES))
            .as("64 kB of a 1 MB COPY sent within 10 s")
            .isTrue();
      } finally {
        out.cancelCopy();
      }
    }
  }
}
