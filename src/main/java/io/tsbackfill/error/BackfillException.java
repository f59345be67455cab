package io.tsbackfill.error;

/**
 * The one exception type that reaches the user: a one-line message, an exit code and, where there
 * is one, the underlying cause whose chain the error reporter prints below the message. It sits
 * below every other package, so that any of them can refuse with a reason and an exit code; a
 * database error is made by the failing side ({@code db.Side#error}).
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
}
