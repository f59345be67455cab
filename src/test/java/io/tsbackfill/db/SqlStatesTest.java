package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SqlStatesTest {
  @Test
  void transientErrorsAreRecognisedThroughWrappers() {
    assertThat(SqlStates.isTransient(new SQLException("gone", "08006"))).isTrue();
    assertThat(SqlStates.isTransient(new SQLException("killed", "57P01"))).isTrue();
    assertThat(SqlStates.isTransient(new SQLException("deadlock", "40P01"))).isTrue();
    assertThat(SqlStates.isTransient(new SideFailure(Side.TARGET, new SQLException("x", "40001"))))
        .isTrue();
    assertThat(SqlStates.isTransient(new SQLException("io", null, new EOFException()))).isTrue();
  }

  @Test
  void permanentErrorsAreNot() {
    assertThat(SqlStates.isTransient(new SQLException("no table", "42P01"))).isFalse();
    assertThat(SqlStates.isTransient(new SQLException("denied", "42501"))).isFalse();
    assertThat(SqlStates.isTransient(new RuntimeException("bug"))).isFalse();
  }

  @Test
  void sideIsFoundInTheCauseChain() {
    Exception e = new RuntimeException(new SideFailure(Side.SOURCE, new SQLException("x")));
    assertThat(SideFailure.sideOf(e, Side.TARGET)).isEqualTo(Side.SOURCE);
    assertThat(SideFailure.sideOf(new SQLException("y"), Side.TARGET)).isEqualTo(Side.TARGET);
  }
}
