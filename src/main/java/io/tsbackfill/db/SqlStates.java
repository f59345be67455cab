package io.tsbackfill.db;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Optional;
import org.postgresql.util.PSQLException;

/**
 * The one place that reads SQLSTATEs: finding the state in a cause chain, telling transient errors
 * (worth retrying on fresh connections) from permanent ones (which fail the same way every time),
 * and the fix for the permanent ones where it is known.
 */
public final class SqlStates {
  public static final String INVALID_REGEX = "2201B";
  public static final String INVALID_TEXT_REPRESENTATION = "22P02";
  public static final String INVALID_DATETIME_FORMAT = "22007";
  public static final String DATETIME_FIELD_OVERFLOW = "22008";
  public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
  public static final String INVALID_PARAMETER_VALUE = "22023";
  public static final String INVALID_PASSWORD = "28P01";
  public static final String INVALID_AUTHORIZATION = "28000";
  public static final String INVALID_CATALOG_NAME = "3D000";
  public static final String UNDEFINED_TABLE = "42P01";
  public static final String INSUFFICIENT_PRIVILEGE = "42501";
  public static final String QUERY_CANCELED = "57014";
  public static final String LOCK_NOT_AVAILABLE = "55P03";
  public static final String SERIALIZATION_FAILURE = "40001";
  public static final String DEADLOCK_DETECTED = "40P01";
  public static final String DATABASE_DROPPED = "57P04";
  public static final String TOO_MANY_CONNECTIONS = "53300";

  /**
   * The standby's words for a query or session it cancels because replay must go on ("canceling
   * statement due to conflict with recovery", "terminating connection due to conflict with
   * recovery"). PostgreSQL gives these several SQLSTATEs; the text is what tells them apart from,
   * say, a statement timeout (57014) or a dropped database (57P04).
   */
  private static final String RECOVERY_CONFLICT_TEXT = "conflict with recovery";

  /** What kind of failure an error is; every kind but {@link #PERMANENT} is worth a retry. */
  public enum Kind {
    /** Class 08, an I/O error without SQLSTATE, or a server refusing new sessions (53300). */
    CONNECTION,
    /** 40001: a serialization failure. */
    SERIALIZATION,
    /** 40P01: a deadlock, one side chosen as its victim. */
    DEADLOCK,
    /** 55P03: a lock not had within the lock timeout. */
    LOCK_TIMEOUT,
    /** 57P01, 57P02, 57P03: the server is shutting down, or not accepting sessions yet. */
    ADMIN_SHUTDOWN,
    /**
     * A hot standby cancelled the query or session so that replay could go on (40001, 40P01, 57014
     * or 57P04 with the standby's message).
     */
    RECOVERY_CONFLICT,
    /** Everything else: the same work fails the same way again (data, constraints, syntax...). */
    PERMANENT;

    public boolean isTransient() {
      return this != PERMANENT;
    }
  }

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
   * The kind of {@code t}: decided by the first SQLSTATE in its cause chain; without one, an I/O
   * error (or a JDBC transient connection error) anywhere in the chain is a connection failure and
   * anything else is permanent.
   */
  public static Kind classify(Throwable t) {
    boolean io = false;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e && e.getSQLState() != null) {
        return classify(e.getSQLState(), text(e));
      }
      io |= c instanceof IOException || c instanceof SQLTransientConnectionException;
    }
    return io ? Kind.CONNECTION : Kind.PERMANENT;
  }

  /** The kind of an error with SQLSTATE {@code state} and the server's message {@code message}. */
  public static Kind classify(String state, String message) {
    boolean conflict =
        message != null && message.toLowerCase(Locale.ROOT).contains(RECOVERY_CONFLICT_TEXT);
    if (conflict
        && (state.equals(SERIALIZATION_FAILURE)
            || state.equals(DEADLOCK_DETECTED)
            || state.equals(QUERY_CANCELED)
            || state.equals(DATABASE_DROPPED))) {
      return Kind.RECOVERY_CONFLICT;
    }
    if (state.startsWith("08") || state.equals(TOO_MANY_CONNECTIONS)) {
      return Kind.CONNECTION;
    }
    return switch (state) {
      case SERIALIZATION_FAILURE -> Kind.SERIALIZATION;
      case DEADLOCK_DETECTED -> Kind.DEADLOCK;
      case LOCK_NOT_AVAILABLE -> Kind.LOCK_TIMEOUT;
      case "57P01", "57P02", "57P03" -> Kind.ADMIN_SHUTDOWN;
      default -> Kind.PERMANENT;
    };
  }

  /** Whether retrying the same work on fresh connections can succeed (see {@link Kind}). */
  public static boolean isTransient(Throwable t) {
    return classify(t).isTransient();
  }

  /**
   * What an operator can do about a permanent error of SQLSTATE {@code state} on {@code side}
   * before running the command again, when the state alone says it; empty otherwise (the message
   * has to speak for itself).
   */
  public static Optional<String> fix(String state, Side side) {
    if (state == null) {
      return Optional.empty();
    }
    String other = side == Side.TARGET ? "source" : "target";
    String fix =
        switch (state) {
          case "23514" ->
              "a CHECK constraint on the "
                  + side.label()
                  + " rejects rows of the chunk: change the"
                  + " constraint or the rows";
          case "23505" ->
              "a unique index on the "
                  + side.label()
                  + " rejects rows of the chunk: remove the"
                  + " conflicting rows (or the index)";
          case "23502", "23503", "23P01" ->
              "a constraint on the "
                  + side.label()
                  + " rejects rows of the chunk: make it match"
                  + " the "
                  + other
                  + "'s";
          case INSUFFICIENT_PRIVILEGE ->
              "grant the "
                  + side.label()
                  + " role what the message names (README: Least"
                  + " privilege)";
          case UNDEFINED_TABLE, "42703", "42804", "42P10" ->
              "the "
                  + side.label()
                  + "'s tables differ from the "
                  + other
                  + "'s: make them equal"
                  + " (the runbook's schema restore)";
          case "25006" ->
              "the "
                  + side.label()
                  + " is read-only: point --"
                  + side.label()
                  + " at a server"
                  + " that accepts writes";
          case "53100" -> "free disk space on the " + side.label() + " server";
          default ->
              state.startsWith("22")
                  ? "a value does not fit the "
                      + side.label()
                      + "'s column: give the column the"
                      + " "
                      + other
                      + "'s type"
                  : null;
        };
    return Optional.ofNullable(fix);
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

  /** The error's message and detail, through wrappers that copy neither. */
  private static String text(SQLException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof PSQLException p && p.getServerErrorMessage() != null) {
        return serverMessage(p);
      }
    }
    return e.getMessage();
  }
}
