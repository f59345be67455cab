package io.tsbackfill.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Side;
import io.tsbackfill.testbed.DatabasePair;
import io.tsbackfill.testbed.TestBed;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

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
}
