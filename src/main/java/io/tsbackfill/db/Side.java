package io.tsbackfill.db;

import io.tsbackfill.error.BackfillException;
import io.tsbackfill.error.ExitCode;
import java.sql.SQLException;

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

  /** A database error on this side: exit 4 for the source, 5 for the target. */
  public BackfillException error(String what, SQLException cause) {
    return new BackfillException(exitCode, label + " database: " + what, cause);
  }
}
