package io.tsbackfill.db;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Set;
import org.postgresql.util.PSQLException;

/** SQLSTATE helpers: finding the state in a cause chain and telling transient errors apart. */
public final class SqlStates {
  public static final String INVALID_REGEX = "2201B";
  public static final String INVALID_TEXT_REPRESENTATION = "22P02";
  public static final String INVALID_DATETIME_FORMAT = "22007";
  public static final String DATETIME_FIELD_OVERFLOW = "22008";
  public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
  public static final String INVALID_PASSWORD = "28P01";
  public static final String INVALID_AUTHORIZATION = "28000";
  public static final String INVALID_CATALOG_NAME = "3D000";
  public static final String UNDEFINED_TABLE = "42P01";
  public static final String INSUFFICIENT_PRIVILEGE = "42501";
  public static final String QUERY_CANCELED = "57014";

  private static final Set<String> TRANSIENT =
      Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300");

  private SqlStates() {}

  /** The SQLSTATE of the first SQLException in the chain of {@code t}, or null. */
  public static String of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e && e.getSQLState() != null) {
        return e.getSQLState();
      }
    }
    return null;
  }

  /**
   * Whether retrying the same work on a fresh connection can succeed: connection loss (class 08 or
   * an I/O failure), serialization failures, deadlocks, lock timeouts, admin shutdowns, too many
   * connections.
   */
  public static boolean isTransient(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException) {
        return true;
      }
      if (c instanceof SQLException e && e.getSQLState() != null) {
        String s = e.getSQLState();
        if (s.startsWith("08") || TRANSIENT.contains(s)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The server's own message for a PostgreSQL error, without pgjdbc's decorations. */
  public static String serverMessage(SQLException e) {
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      var m = p.getServerErrorMessage();
      String text = m.getMessage();
      if (m.getDetail() != null) {
        text += " (" + m.getDetail() + ")";
      }
      return text;
    }
    return e.getMessage();
  }
}
