package io.tsbackfill.catalog;

import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import io.tsbackfill.db.SqlStates;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@code --filter} of stage and refresh-caggs: a POSIX regular expression that the source
 * server itself evaluates ({@code ~*}), so it is validated there too, on every PostgreSQL version.
 */
public final class RegexFilter {
  private RegexFilter() {}

  /** Fails with a usage error naming the filter if the server rejects it as a regex. */
  public static void validate(Connection s, String filter) throws SQLException {
    if (filter == null) {
      return;
    }
    try {
      Jdbc.queryOne(s, Sql.load("catalog/regex-check"), rs -> rs.getBoolean(1), filter);
    } catch (SQLException e) {
      if (SqlStates.INVALID_REGEX.equals(e.getSQLState())) {
        throw BackfillException.usage(
            "invalid --filter '" + filter + "': " + SqlStates.serverMessage(e));
      }
      throw e;
    }
  }
}
