package io.tsbackfill.db;

import java.sql.SQLException;

/**
 * A database error tagged with the side it happened on, so that work touching both databases at
 * once (a chunk copy) can still report "source" or "target" and exit with the right code.
 */
public final class SideFailure extends SQLException {
  private static final long serialVersionUID = 1L;
  private final Side side;

  public SideFailure(Side side, SQLException cause) {
    super(cause.getMessage(), cause.getSQLState(), cause);
    this.side = side;
  }

  public Side side() {
    return side;
  }

  /** Runs a database call, tagging its failure with {@code side}. */
  public static <T> T on(Side side, SqlCall<T> call) throws SideFailure {
    try {
      return call.call();
    } catch (SideFailure e) {
      throw e;
    } catch (SQLException e) {
      throw new SideFailure(side, e);
    }
  }

  /** A database call. */
  @FunctionalInterface
  public interface SqlCall<T> {
    T call() throws SQLException;
  }

  /** The side of the first SideFailure in a cause chain, or {@code fallback}. */
  public static Side sideOf(Throwable t, Side fallback) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SideFailure f) {
        return f.side();
      }
    }
    return fallback;
  }
}
