package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.error.BackfillException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libpq's TLS settings as pgjdbc properties. */
class ConnectionSpecTlsTest {
  private static final ClientEnvironment NO_ENV =
      withVariables(Map.of("PGPASSFILE", "/nonexistent"));

  /** {@code variables} as the environment, with a user and a home folder of the test's own. */
  static ClientEnvironment withVariables(Map<String, String> variables) {
    return new ClientEnvironment(variables, "os-user", Path.of("/nonexistent-home"));
  }

  @Test
  void requireWithARootCertificateFileVerifiesTheCaAsLibpqDoes(@TempDir Path dir) throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "not read here");
    assertThat(
            ConnectionSpec.parse(Side.TARGET, "host=h sslmode=require sslrootcert=" + ca, NO_ENV)
                .jdbcProperties())
        .containsEntry("sslmode", "verify-ca")
        .containsEntry("sslrootcert", ca.toString())
        .containsEntry("sslfactory", "org.postgresql.ssl.LibPQFactory");
    assertThat(
            ConnectionSpec.parse(
                    Side.TARGET,
                    "host=h sslmode=require sslrootcert=" + dir.resolve("none"),
                    NO_ENV)
                .jdbcProperties())
        .as("a root certificate file that does not exist is not used, as with libpq")
        .containsEntry("sslmode", "require");
    assertThat(
            ConnectionSpec.parse(
                    Side.TARGET, "host=h sslmode=verify-full sslrootcert=" + ca, NO_ENV)
                .jdbcProperties())
        .containsEntry("sslmode", "verify-full");
  }

  @Test
  void theKeyPasswordIsASecret() {
    String conn = "host=h sslkey=/k.pk8 sslpassword=Key-Secret-42";
    assertThat(ConnectionSpec.parse(Side.SOURCE, conn, NO_ENV).toString())
        .doesNotContain("Key-Secret-42");
    assertThat(Redactor.redact("given: " + conn))
        .isEqualTo("given: host=h sslkey=/k.pk8 sslpassword=********");
  }

  @Test
  void derKeysArePassedAsTheyAre(@TempDir Path dir) throws Exception {
    Path der = Files.write(dir.resolve("client.pk8"), new byte[] {0x30, 0x03, 0x02, 0x01, 0x00});
    assertThat(ConnectionSpec.parse(Side.SOURCE, "host=h sslkey=" + der, NO_ENV).jdbcProperties())
        .containsEntry("sslkey", der.toString());
  }

  @Test
  void anUnusableKeyIsReportedWithTheSideAndTheFile(@TempDir Path dir) throws Exception {
    Path legacy =
        Files.writeString(
            dir.resolve("client.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                + "AAAA\n-----END RSA PRIVATE KEY-----\n");
    ConnectionSpec spec = ConnectionSpec.parse(Side.TARGET, "host=h sslkey=" + legacy, NO_ENV);
    org.assertj.core.api.Assertions.assertThatThrownBy(spec::jdbcProperties)
        .isInstanceOf(BackfillException.class)
        .hasMessageStartingWith(
            "--target: sslkey "
                + legacy
                + ": an encrypted key in the"
                + " traditional OpenSSL format cannot be read here")
        .satisfies(e -> assertThat(((BackfillException) e).exitCode()).isEqualTo(5));
  }
}
