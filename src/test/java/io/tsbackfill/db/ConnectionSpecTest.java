package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.error.BackfillException;
import io.tsbackfill.error.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSpecTest {
  private static final ClientEnvironment NO_ENV =
      withVariables(Map.of("PGPASSFILE", "/nonexistent"));

  /** {@code variables} as the environment, with a user and a home folder of the test's own. */
  static ClientEnvironment withVariables(Map<String, String> variables) {
    return new ClientEnvironment(variables, "os-user", Path.of("/nonexistent-home"));
  }

  @Test
  void libpqUriWithEverything() {
    ConnectionSpec c =
        ConnectionSpec.parse(
            Side.SOURCE,
            "postgres://alice:p%40ss@db.example.com:6432/metrics?sslmode=require&connect_timeout=5",
            NO_ENV);
    assertThat(c.host()).isEqualTo("db.example.com");
    assertThat(c.port()).isEqualTo("6432");
    assertThat(c.database()).isEqualTo("metrics");
    assertThat(c.user()).isEqualTo("alice");
    assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6432/metrics");
    assertThat(c.jdbcProperties())
        .containsEntry("password", "p@ss")
        .containsEntry("sslmode", "require")
        .containsEntry("connectTimeout", "5")
        .containsEntry("ApplicationName", "timescaledb-backfill");
    assertThat(c.toString()).doesNotContain("p@ss");
  }

  @Test
  void postgresqlSchemeIpv6AndDefaults() {
    ConnectionSpec c = ConnectionSpec.parse(Side.TARGET, "postgresql://[::1]/db", NO_ENV);
    assertThat(c.host()).isEqualTo("::1");
    assertThat(c.port()).isEqualTo("5432");
    assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
    assertThat(c.sslMode()).isEqualTo("prefer");
  }

  @Test
  void keyValueWithQuotesAndEscapes() {
    ConnectionSpec c =
        ConnectionSpec.parse(
            Side.SOURCE,
            "host=10.1.2.3 port = 5433 dbname='my db' user=bob password='it\\'s secret' sslmode=verify-full sslrootcert=/ca.pem",
            NO_ENV);
    assertThat(c.host()).isEqualTo("10.1.2.3");
    assertThat(c.port()).isEqualTo("5433");
    assertThat(c.database()).isEqualTo("my db");
    assertThat(c.jdbcProperties())
        .containsEntry("password", "it's secret")
        .containsEntry("sslmode", "verify-full")
        .containsEntry("sslrootcert", "/ca.pem");
  }

  @Test
  void jdbcUrl() {
    ConnectionSpec c =
        ConnectionSpec.parse(
            Side.SOURCE, "jdbc:postgresql://h:1234/d?user=u&password=pw&sslmode=disable", NO_ENV);
    assertThat(c.host()).isEqualTo("h");
    assertThat(c.port()).isEqualTo("1234");
    assertThat(c.database()).isEqualTo("d");
    assertThat(c.user()).isEqualTo("u");
    assertThat(c.jdbcProperties())
        .containsEntry("password", "pw")
        .containsEntry("sslmode", "disable");
  }

  @Test
  void missingPartsComeFromTheEnvironment() {
    Map<String, String> env =
        Map.of(
            "PGHOST", "envhost",
            "PGPORT", "7777",
            "PGUSER", "envuser",
            "PGPASSWORD", "envpw",
            "PGDATABASE", "envdb",
            "PGSSLMODE", "require",
            "PGPASSFILE", "/nonexistent");
    ConnectionSpec c = ConnectionSpec.parse(Side.SOURCE, "postgres://", withVariables(env));
    assertThat(c.host()).isEqualTo("envhost");
    assertThat(c.port()).isEqualTo("7777");
    assertThat(c.user()).isEqualTo("envuser");
    assertThat(c.database()).isEqualTo("envdb");
    assertThat(c.sslMode()).isEqualTo("require");
    assertThat(c.jdbcProperties()).containsEntry("password", "envpw");
  }

  @Test
  void theUserAndTheHomeFolderComeFromTheClientEnvironment(@TempDir Path home) throws Exception {
    Files.writeString(home.resolve(".pgpass"), "h:5432:os-user:os-user:from-home\n");
    Files.createDirectories(home.resolve(".postgresql"));
    Files.writeString(home.resolve(".postgresql/root.crt"), "");
    ClientEnvironment client = new ClientEnvironment(Map.of(), "os-user", home);
    ConnectionSpec c = ConnectionSpec.parse(Side.SOURCE, "host=h sslmode=require", client);
    assertThat(c.user()).isEqualTo("os-user");
    assertThat(c.database()).isEqualTo("os-user");
    assertThat(c.jdbcProperties())
        .containsEntry("password", "from-home")
        .as("require with a root certificate in the home folder verifies, as libpq does")
        .containsEntry("sslmode", "verify-ca");
  }

  @Test
  void givenPartsWinOverTheEnvironment() {
    Map<String, String> env = Map.of("PGHOST", "envhost", "PGUSER", "envuser", "PGPASSFILE", "/x");
    ConnectionSpec c = ConnectionSpec.parse(Side.SOURCE, "host=given dbname=d", withVariables(env));
    assertThat(c.host()).isEqualTo("given");
    assertThat(c.user()).isEqualTo("envuser");
  }

  @Test
  void passwordFileIsConsulted(@TempDir Path dir) throws Exception {
    Path pgpass = dir.resolve("pgpass");
    Files.writeString(
        pgpass,
        "# comment\nother:5432:*:*:nope\ndb.host:5432:sales:carol:from\\:pgpass\n*:*:*:*:fallback\n");
    Map<String, String> env = Map.of("PGPASSFILE", pgpass.toString());
    ConnectionSpec c =
        ConnectionSpec.parse(Side.TARGET, "postgres://carol@db.host/sales", withVariables(env));
    assertThat(c.jdbcProperties()).containsEntry("password", "from:pgpass");
    ConnectionSpec d =
        ConnectionSpec.parse(Side.TARGET, "postgres://dave@elsewhere/x", withVariables(env));
    assertThat(d.jdbcProperties()).containsEntry("password", "fallback");
    assertThat(d.toString()).doesNotContain("fallback");
  }

  @Test
  void applicationNameIsAlwaysOurs() {
    ConnectionSpec c =
        ConnectionSpec.parse(Side.SOURCE, "host=h dbname=d user=u application_name=other", NO_ENV);
    assertThat(c.jdbcProperties()).containsEntry("ApplicationName", "timescaledb-backfill");
  }

  @Test
  void badStringsAreUsageErrorsNamingTheSide() {
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.TARGET, "nonsense", NO_ENV))
        .isInstanceOf(BackfillException.class)
        .hasMessageContaining("--target")
        .extracting(e -> ((BackfillException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, "host=h sslmode=sometimes", NO_ENV))
        .hasMessageContaining("sslmode");
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, "host=h frobnicate=1", NO_ENV))
        .hasMessageContaining("frobnicate");
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, "host=/var/run/postgresql", NO_ENV))
        .hasMessageContaining("Unix-domain");
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, "postgres://h:port/d", NO_ENV))
        .hasMessageContaining("port");
  }
}
