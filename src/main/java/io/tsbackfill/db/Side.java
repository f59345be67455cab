package io.tsbackfill.db;

/** Which of the two databases something happened on; decides the exit code of a database error. */
public enum Side {
  SOURCE("source", ExitCode.SOURCE_ERROR),
  TARGET("target", ExitCode.TARGET_ERROR);

  private final String label;
  private final int exitCode;

  Side(String label, int exitCode) {
    this.label = label;
    this.exitCode = exitCode;
  }

  public String label() {
    return label;
  }

  public int exitCode() {
    return exitCode;
  }
}
