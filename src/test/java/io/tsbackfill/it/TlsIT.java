package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.PrivateServer;
import io.tsbackfill.testbed.SchemaRestore;
import io.tsbackfill.testbed.TestCa;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.ToolRun;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TLS against a private server with {@code ssl = on} and a test CA made with openssl: libpq's
 * sslmode, sslrootcert, sslcert, sslkey and sslpassword mean to the tool what they mean to psql.
 * The server accepts the tool's users over TLS only: {@code tlsuser} by password, {@code certuser}
 * by a client certificate ({@code clientcert=verify-full}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
  private static final String PASSWORD = "tls-user-secret";
  private TestCa ca;
  private PrivateServer pg;
  private TestDb source;
  private TestDb target;

  @BeforeAll
  void startServer() {
    ca = TestCa.create("certuser");
    pg =
        PrivateServer.start(
            "tls",
            dir -> ca.serverSettings(dir),
            List.of(
                "host all postgres 127.0.0.1/32 trust",
                "hostssl all certuser 127.0.0.1/32 trust clientcert=verify-full",
                "hostssl all tlsuser 127.0.0.1/32 scram-sha-256"));
    source = pg.createDatabase("tls_source");
    target = pg.createDatabase("tls_target");
    source.exec("CREATE ROLE tlsuser LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
    source.exec("CREATE ROLE certuser LOGIN SUPERUSER");
    source.fixture("metrics");
    SchemaRestore.restore(source, target);
  }

  @AfterAll
  void stopServer() {
    if (pg != null) {
      pg.close();
    }
    if (ca != null) {
      ca.close();
    }
  }

  /** A libpq key=value string for {@code db} on the private server. */
  private String kv(TestDb db, String host, String user, String... settings) {
    return "host="
        + host
        + " port="
        + pg.port()
        + " dbname="
        + db.name()
        + " user="
        + user
        + (user.equals("tlsuser") ? " password=" + PASSWORD : "")
        + " "
        + String.join(" ", settings);
  }

  private String rootCert(String file) {
    return "sslrootcert=" + ca.file(file);
  }

  private static ToolRun tool(String... args) {
    return ToolRun.inProcess(args);
  }

  /** A failure reads as one error line naming the side, without a stack trace. */
  private static void assertFailsClearly(ToolRun r, int exit, String side, String... reasons) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(exit);
    assertThat(r.err())
        .as(r.toString())
        .startsWith("error: cannot connect to the " + side + " database")
        .doesNotContain("\tat ")
        .doesNotContain(PASSWORD);
    for (String reason : reasons) {
      assertThat(r.err()).as(r.toString()).contains(reason);
    }
  }

  @Test
  void verifyFullWithAClientCertificateStagesCopiesAndVerifies() {
    String src =
        kv(
            source,
            "localhost",
            "certuser",
            "sslmode=verify-full",
            rootCert("ca.crt"),
            "sslcert=" + ca.file("client-ec.crt"),
            "sslkey=" + ca.file("client-ec.key"));
    String tgt =
        "postgres://tlsuser:"
            + PASSWORD
            + "@localhost:"
            + pg.port()
            + "/"
            + target.name()
            + "?sslmode=verify-full&sslrootcert="
            + ca.file("ca.crt");
    ToolRun staged = tool("stage", "--source", src, "--target", tgt, "--until", "2023-06-01Z");
    assertThat(staged.exitCode()).as(staged.toString()).isZero();
    ToolRun copied = tool("copy", "--source", src, "--target", tgt, "-p", "2");
    assertThat(copied.exitCode()).as(copied.toString()).isZero();
    ToolRun verified = tool("verify", "--source", src, "--target", tgt, "-p", "2");
    assertThat(verified.exitCode()).as(verified.toString()).isZero();
    assertThat(verified.out()).contains("5 equal, 0 failed");
    assertThat(target.fingerprint("public.metrics", null))
        .isEqualTo(source.fingerprint("public.metrics", null));
    assertThat(tool("clean", "--target", tgt).exitCode()).isZero();
  }

  @Test
  void clientKeysInTheFormatsLibpqReadsAllWork() {
    String[][] keys = {
      {"client-rsa.crt", "client-rsa.key", ""}, // PKCS#8 PEM
      {"client-rsa.crt", "client-rsa-pkcs1.key", ""}, // PKCS#1 PEM ("RSA PRIVATE KEY")
      {"client-ec.crt", "client-ec.key", ""}, // SEC1 PEM ("EC PRIVATE KEY")
      {"client-ec.crt", "client-ec.pk8", ""}, // PKCS#8 DER, pgjdbc's own format
      {"client-ec.crt", "client-ec-encrypted.key", "sslpassword=" + TestCa.KEY_PASSWORD},
    };
    for (String[] k : keys) {
      ToolRun r =
          tool(
              "clean",
              "--target",
              kv(
                  target,
                  "localhost",
                  "certuser",
                  "sslmode=verify-full",
                  rootCert("ca.crt"),
                  "sslcert=" + ca.file(k[0]),
                  "sslkey=" + ca.file(k[1]),
                  k[2]));
      assertThat(r.exitCode()).as("with sslkey %s: %s", k[1], r).isZero();
      assertThat(r.all()).doesNotContain(TestCa.KEY_PASSWORD);
    }
    ToolRun noCertificate =
        tool(
            "clean",
            "--target",
            kv(target, "localhost", "certuser", "sslmode=verify-full", rootCert("ca.crt")));
    assertFailsClearly(noCertificate, 5, "target", "certificate");
  }

  @Test
  void aWrongCaOrHostNameFailsClearlyAndVerifyCaChecksOnlyTheCa() {
    ToolRun wrongCa =
        tool(
            "stage",
            "--source",
            kv(source, "localhost", "tlsuser", "sslmode=verify-full", rootCert("other-ca.crt")),
            "--target",
            kv(target, "localhost", "tlsuser", "sslmode=require"),
            "--until",
            "2023-06-01Z");
    assertFailsClearly(
        wrongCa,
        4,
        "source",
        "tls_source at localhost:" + pg.port(),
        "TLS: the server certificate is not signed by a CA in sslrootcert "
            + ca.file("other-ca.crt"));

    ToolRun wrongHost =
        tool(
            "clean",
            "--target",
            kv(target, "127.0.0.1", "tlsuser", "sslmode=verify-full", rootCert("ca.crt")));
    assertFailsClearly(
        wrongHost,
        5,
        "target",
        "TLS: the server certificate is not issued for host name 127.0.0.1");

    ToolRun caOnly =
        tool(
            "clean",
            "--target",
            kv(target, "127.0.0.1", "tlsuser", "sslmode=verify-ca", rootCert("ca.crt")));
    assertThat(caOnly.exitCode()).as(caOnly.toString()).isZero();
  }

  @Test
  void requireEncryptsWithoutChecksUnlessARootCertificateIsGivenAndPlainIsRefused() {
    ToolRun require =
        tool("clean", "--target", kv(target, "127.0.0.1", "tlsuser", "sslmode=require"));
    assertThat(require.exitCode()).as(require.toString()).isZero();

    // libpq: with a root CA file, require verifies the CA (like verify-ca).
    ToolRun requireWithWrongCa =
        tool(
            "clean",
            "--target",
            kv(target, "127.0.0.1", "tlsuser", "sslmode=require", rootCert("other-ca.crt")));
    assertFailsClearly(
        requireWithWrongCa,
        5,
        "target",
        "not signed by a CA in sslrootcert " + ca.file("other-ca.crt") + " (sslmode=require)");

    ToolRun plain =
        tool("clean", "--target", kv(target, "127.0.0.1", "tlsuser", "sslmode=disable"));
    assertFailsClearly(plain, 5, "target", "no encryption");
  }
}
