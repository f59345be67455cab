package io.tsbackfill.testbed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Holds the copy of chosen chunks in the middle of their COPY, so faults land exactly there: a row
 * trigger on the target hypertable (TimescaleDB puts it on every chunk) takes a shared advisory
 * lock keyed by the chunk's name, and the test holds that lock exclusively while the gate of a
 * chunk is closed. The trigger changes no row.
 */
public final class CopyGate implements AutoCloseable {
  public static final int KEY = 727;
  private final Connection holder;

  private CopyGate(Connection holder) {
    this.holder = holder;
  }

  /** Installs the trigger on {@code hypertable} (a qualified, quoted name) of the target. */
  public static CopyGate install(TestDb target, String hypertable) {
    target.exec(
        "CREATE FUNCTION public.backfill_test_gate() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN PERFORM pg_advisory_xact_lock_shared("
            + KEY
            + ", hashtext(TG_TABLE_NAME));"
            + " RETURN NEW; END $$");
    target.exec(
        "CREATE TRIGGER backfill_test_gate BEFORE INSERT ON "
            + hypertable
            + " FOR EACH ROW EXECUTE FUNCTION public.backfill_test_gate()");
    return new CopyGate(target.connect());
  }

  /** Rows for target table {@code table} (a chunk name, unquoted) now wait at the gate. */
  public void hold(String table) {
    lock("SELECT pg_advisory_lock(" + KEY + ", hashtext(?))", table);
  }

  /** Rows for {@code table} pass again. */
  public void release(String table) {
    lock("SELECT pg_advisory_unlock(" + KEY + ", hashtext(?))", table);
  }

  private void lock(String sql, String table) {
    try (PreparedStatement ps = holder.prepareStatement(sql)) {
      ps.setString(1, table);
      ps.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " for " + table, e);
    }
  }

  /** Opens every gate (ends the holding session). */
  @Override
  public void close() {
    try {
      holder.close();
    } catch (SQLException ignored) {
      // Its locks go with it.
    }
  }
}
