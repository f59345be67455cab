package io.tsbackfill.clean;

import io.tsbackfill.db.ConnectionSpec;
import io.tsbackfill.db.Database;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.task.TaskStore;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@code clean} engine: drops the {@code __backfill} schema from the target. Never touches the
 * source, migrated rows or chunks. Idempotent: without the schema it reports that there was
 * nothing to remove.
 */
public final class Cleaner {
  private final ConnectionSpec target;

  public Cleaner(ConnectionSpec target) {
    this.target = target;
  }

  /** True when the schema existed and was dropped. */
  public boolean run() {
    try (Database db = Database.open(target, 1);
        Connection t = db.connect()) {
      try {
        if (!TaskStore.schemaExists(t)) {
          return false;
        }
        Jdbc.execute(t, "DROP SCHEMA IF EXISTS " + TaskStore.SCHEMA + " CASCADE");
        return true;
      } catch (SQLException e) {
        throw db.error("dropping the __backfill schema", e);
      }
    } catch (SQLException e) {
      throw io.tsbackfill.db.BackfillException.internal("closing the connection", e);
    }
  }
}
