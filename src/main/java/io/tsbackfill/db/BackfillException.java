package io.tsbackfill.db;

import java.sql.SQLException;

/**
 * The one exception type that reaches the user: a one-line message, an exit code and, where there
 * is one, the underlying cause whose chain the error reporter prints below the message.
 */
public class BackfillException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public BackfillException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  public static BackfillException usage(String message) {
    return new BackfillException(ExitCode.USAGE, message, null);
  }

  public static BackfillException badState(String message) {
    return new BackfillException(ExitCode.BAD_STATE, message, null);
  }

  public static BackfillException internal(String message, Throwable cause) {
    return new BackfillException(ExitCode.INTERNAL, message, cause);
  }

  /** A database error on one side: exit 4 for the source, 5 for the target. */
  public static BackfillException database(Side side, String what, SQLException cause) {
    return new BackfillException(side.exitCode(), side.label() + " database: " + what, cause);
  }

  /** The SQLSTATE of the first SQLException in the cause chain, or null. */
  public String sqlState() {
    return SqlStates.of(this);
  }
}
