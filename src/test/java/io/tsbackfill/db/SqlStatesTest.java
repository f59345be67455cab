package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.db.SqlStates.Kind;
import java.io.EOFException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** One test per kind of failure, then the wrappers the errors arrive in. */
class SqlStatesTest {
  /** A server error as pgjdbc builds it from the wire: severity, SQLSTATE, message, detail. */
  private static PSQLException server(String state, String message, String detail) {
    return new PSQLException(
        new ServerErrorMessage(
            "SERROR\0VERROR\0C"
                + state
                + "\0M"
                + message
                + "\0"
                + (detail == null ? "" : "D" + detail + "\0")));
  }

  @Test
  void connectionFailuresAreClass08IoErrorsAndRefusedSessions() {
    assertThat(SqlStates.classify(new SQLException("gone", "08006"))).isEqualTo(Kind.CONNECTION);
    assertThat(SqlStates.classify(new SQLException("closed", "08003"))).isEqualTo(Kind.CONNECTION);
    assertThat(SqlStates.classify(new SQLException("io", null, new EOFException())))
        .isEqualTo(Kind.CONNECTION);
    assertThat(SqlStates.classify(new SocketException("reset"))).isEqualTo(Kind.CONNECTION);
    assertThat(SqlStates.classify(new SQLTransientConnectionException("pool timed out")))
        .isEqualTo(Kind.CONNECTION);
    assertThat(SqlStates.classify(server("53300", "sorry, too many clients already", null)))
        .isEqualTo(Kind.CONNECTION);
  }

  @Test
  void serializationFailuresAndDeadlocks() {
    assertThat(SqlStates.classify(server("40001", "could not serialize access", null)))
        .isEqualTo(Kind.SERIALIZATION);
    assertThat(SqlStates.classify(server("40P01", "deadlock detected", null)))
        .isEqualTo(Kind.DEADLOCK);
  }

  @Test
  void lockTimeouts() {
    assertThat(SqlStates.classify(server("55P03", "canceling statement due to lock timeout", null)))
        .isEqualTo(Kind.LOCK_TIMEOUT);
  }

  @Test
  void adminShutdowns() {
    for (String s : new String[] {"57P01", "57P02", "57P03"}) {
      assertThat(SqlStates.classify(new SQLException("shutdown", s)))
          .as(s)
          .isEqualTo(Kind.ADMIN_SHUTDOWN);
    }
  }

  @Test
  void recoveryConflictsAreKnownByTheStandbysMessage() {
    assertThat(
            SqlStates.classify(
                server(
                    "40001",
                    "canceling statement due to conflict with recovery",
                    "User query might have needed to see row versions that must be removed.")))
        .isEqualTo(Kind.RECOVERY_CONFLICT);
    assertThat(
            SqlStates.classify(
                server(
                    "40P01",
                    "canceling statement due to conflict with recovery",
                    "User transaction caused buffer deadlock with recovery.")))
        .isEqualTo(Kind.RECOVERY_CONFLICT);
    assertThat(
            SqlStates.classify(
                server("57014", "canceling statement due to conflict with recovery", null)))
        .isEqualTo(Kind.RECOVERY_CONFLICT);
    assertThat(
            SqlStates.classify(
                server(
                    "57P04",
                    "terminating connection due to conflict with recovery",
                    "User was connected to a database that must be dropped.")))
        .isEqualTo(Kind.RECOVERY_CONFLICT);
    // The same states without the standby's words: a statement timeout, a dropped database.
    assertThat(
            SqlStates.classify(
                server("57014", "canceling statement due to statement timeout", null)))
        .isEqualTo(Kind.PERMANENT);
    assertThat(SqlStates.classify(server("57P04", "database is being dropped", null)))
        .isEqualTo(Kind.PERMANENT);
  }

  @Test
  void everythingElseIsPermanent() {
    for (String s :
        new String[] {
          "0A000", "22003", "22P02", "23505", "23514", "42501", "42P01", "42703", "25006", "53100",
          "XX000"
        }) {
      assertThat(SqlStates.classify(new SQLException("x", s))).as(s).isEqualTo(Kind.PERMANENT);
      assertThat(SqlStates.isTransient(new SQLException("x", s))).as(s).isFalse();
    }
    assertThat(SqlStates.classify(new RuntimeException("bug"))).isEqualTo(Kind.PERMANENT);
    assertThat(
            SqlStates.classify(
                server("0A000", "cannot use serializable mode in a hot standby", null)))
        .isEqualTo(Kind.PERMANENT);
  }

  @Test
  void theFirstSqlstateInTheChainDecides() {
    assertThat(
            SqlStates.classify(
                new SideFailure(
                    Side.TARGET,
                    server("40001", "canceling statement due to conflict with recovery", null))))
        .isEqualTo(Kind.RECOVERY_CONFLICT);
    assertThat(SqlStates.classify(new RuntimeException(new SQLException("x", "40P01"))))
        .isEqualTo(Kind.DEADLOCK);
    // A constraint error whose cause happens to hold an I/O exception stays permanent.
    assertThat(SqlStates.classify(new SQLException("check", "23514", new EOFException())))
        .isEqualTo(Kind.PERMANENT);
    assertThat(SqlStates.isTransient(new SideFailure(Side.SOURCE, new SQLException("x", "08006"))))
        .isTrue();
  }

  @Test
  void fixesAreKnownForSomePermanentStates() {
    assertThat(SqlStates.fix("23514", Side.TARGET))
        .hasValueSatisfying(f -> assertThat(f).contains("CHECK constraint on the target"));
    assertThat(SqlStates.fix("42501", Side.SOURCE))
        .hasValueSatisfying(f -> assertThat(f).contains("source role"));
    assertThat(SqlStates.fix("22003", Side.TARGET)).isPresent();
    assertThat(SqlStates.fix("XX000", Side.TARGET)).isEmpty();
    assertThat(SqlStates.fix(null, Side.TARGET)).isEmpty();
  }

  @Test
  void sideIsFoundInTheCauseChain() {
    Exception e = new RuntimeException(new SideFailure(Side.SOURCE, new SQLException("x")));
    assertThat(SideFailure.sideOf(e, Side.TARGET)).isEqualTo(Side.SOURCE);
    assertThat(SideFailure.sideOf(new SQLException("y"), Side.TARGET)).isEqualTo(Side.TARGET);
  }
}
