package io.tsbackfill.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How the tool reads the source: every read that must see one consistent state (a chunk's rows and
 * catalog for copy and verify, the caggs' watermarks for refresh-caggs) runs in one read-only
 * transaction begun here, so the settings live in one place.
 *
 * <p>On a primary, {@code SERIALIZABLE, READ ONLY, DEFERRABLE}: the transaction waits for a safe
 * snapshot, then never fails for serialization and never blocks the application. A hot standby
 * refuses SERIALIZABLE ("cannot use serializable mode in a hot standby"); there {@code REPEATABLE
 * READ, READ ONLY} gives the same thing, since a standby applies the primary's transactions in
 * commit order and any snapshot of it is one the primary had.
 */
public enum SourceSnapshot {
  PRIMARY("SERIALIZABLE, READ ONLY, DEFERRABLE"),
  STANDBY("REPEATABLE READ, READ ONLY");

  private final String isolation;

  SourceSnapshot(String isolation) {
    this.isolation = isolation;
  }

  /** Asks the source whether it is a hot standby ({@code pg_is_in_recovery()}). */
  public static SourceSnapshot of(Connection s) throws SQLException {
    boolean standby =
        Jdbc.queryOne(s, "SELECT pg_is_in_recovery()", rs -> rs.getBoolean(1)).orElse(false);
    return standby ? STANDBY : PRIMARY;
  }

  /** Sets the open transaction of {@code s} (autocommit off, nothing run yet) to read this way. */
  public void begin(Connection s) throws SQLException {
    Jdbc.execute(s, "SET TRANSACTION ISOLATION LEVEL " + isolation);
  }

  /**
   * Makes every later transaction of {@code s} (in autocommit: no transaction open) read this way,
   * as the session's default: a worker's chunks then begin their source transaction with their
   * first statement, without a round trip of its own. Also what a single statement in autocommit
   * runs as.
   */
  public void session(Connection s) throws SQLException {
    Jdbc.execute(s, "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + isolation);
  }

  /** The settings, for messages: "REPEATABLE READ, READ ONLY". */
  public String isolation() {
    return isolation;
  }

  public boolean standby() {
    return this == STANDBY;
  }
}
