package io.tsbackfill.error;

/** The exit codes of the tool, documented in the README. */
public final class ExitCode {
  public static final int OK = 0;
  public static final int INTERNAL = 1;
  public static final int USAGE = 2;
  public static final int BAD_STATE = 3;
  public static final int SOURCE_ERROR = 4;
  public static final int TARGET_ERROR = 5;
  public static final int VERIFY_DIFFERENCES = 6;
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}
